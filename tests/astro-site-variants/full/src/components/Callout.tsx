import type { ReactNode } from 'react';

export type CalloutType = 'note' | 'tip' | 'warning' | 'danger';

export interface CalloutProps {
  type: CalloutType;
  title?: string;
  children?: ReactNode;
}

// Admonition box. The class names are the contract the site's CSS and the
// tests rely on: `callout` plus `callout-<type>`.
export default function Callout({ type, title, children }: CalloutProps) {
  return (
    <aside className={`callout callout-${type}`} data-callout-type={type}>
      {title ? <p className="callout-title">{title}</p> : null}
      <div className="callout-body">{children}</div>
    </aside>
  );
}
