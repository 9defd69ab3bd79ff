import type { ReactNode } from 'react';

export type CalloutType = 'note' | 'tip' | 'warning' | 'danger';

export interface CalloutProps {
  type: CalloutType;
  children?: ReactNode;
}

// The English heading each kind of box shows; the component decides it, a
// lesson cannot pass one.
const LABELS: Record<CalloutType, string> = {
  note: 'Note',
  tip: 'Tip',
  warning: 'Warning',
  danger: 'Danger',
};

// Admonition box that takes only its type, as the course site's component
// does today. Same class contract as the full variant: `callout` plus
// `callout-<type>`, and the type in data-callout-type.
export default function Callout({ type, children }: CalloutProps) {
  return (
    <aside className={`callout callout-${type}`} data-callout-type={type}>
      <p className="callout-label">{LABELS[type] ?? type}</p>
      <div className="callout-body">{children}</div>
    </aside>
  );
}
