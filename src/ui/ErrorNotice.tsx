import type { ReactNode } from 'react';
import type { ErrorHelp } from '../engine/errorHelp.ts';
import { Icon } from './Icon.tsx';

/** A message as a sentence: capital first letter, closing full stop. */
function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const first = t[0].toUpperCase() + t.slice(1);
  return /[.!?)]$/.test(first) ? first : `${first}.`;
}

/** An engine failure with its code, what happened, what to do, and any buttons that help. */
export function ErrorNotice({ help, title, children, onDismiss }: { help: ErrorHelp; title?: string; children?: ReactNode; onDismiss?: () => void }) {
  return (
    <div role="alert" className="notice error" data-code={help.code}>
      <div className="notice-body">
        <strong>{title ?? help.title}</strong>
        <p>{sentence(help.message)}</p>
        {help.hint && <p className="muted">{help.hint}</p>}
        <p className="muted small">
          Error code{' '}
          <code className="code" data-testid="error-code">
            {help.code}
          </code>
        </p>
        {children && <div className="row">{children}</div>}
      </div>
      {onDismiss && (
        <button type="button" className="ghost icon" aria-label="Dismiss" onClick={onDismiss}>
          <Icon name="close" size={16} />
        </button>
      )}
    </div>
  );
}
