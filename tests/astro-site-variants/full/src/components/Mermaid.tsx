import { useEffect, useId, useRef, useState } from 'react';

export interface MermaidProps {
  chart: string;
}

// A Mermaid diagram drawn in the browser. The chart source is also written
// into the server-rendered HTML (the <pre> and the data attribute), so a
// static build can be checked for the diagram without running JavaScript,
// and a reader without JavaScript still sees the source.
export function Mermaid({ chart }: MermaidProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  // useId output contains characters (":", "«", "_") that are not all valid
  // in the element id mermaid.render() creates; keep only safe ones.
  const diagramId = `mermaid-${useId().replace(/[^a-zA-Z0-9-]/g, '')}`;
  const [state, setState] = useState<'source' | 'rendered' | 'error'>('source');
  const [errorMessage, setErrorMessage] = useState('');

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        // Imported here, not at the top: mermaid needs a DOM and must stay
        // out of the server render.
        const { default: mermaid } = await import('mermaid');
        mermaid.initialize({ startOnLoad: false });
        const { svg, bindFunctions } = await mermaid.render(diagramId, chart);
        if (cancelled || !containerRef.current) return;
        containerRef.current.innerHTML = svg;
        bindFunctions?.(containerRef.current);
        setState('rendered');
      } catch (error) {
        if (cancelled) return;
        setErrorMessage(error instanceof Error ? error.message : String(error));
        setState('error');
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [chart, diagramId]);

  return (
    <figure className="mermaid-diagram" data-mermaid-state={state} data-chart={chart}>
      <div className="mermaid-render" ref={containerRef} />
      <pre className="mermaid-source" hidden={state === 'rendered'}>
        {chart}
      </pre>
      {state === 'error' ? (
        <p className="mermaid-error" role="alert">
          {errorMessage}
        </p>
      ) : null}
    </figure>
  );
}
