import { useEffect, useRef, type ReactNode } from 'react';
import { Icon } from './Icon.tsx';

/** A side panel over the chat; Escape or the close button closes it and focus returns to the page. */
export function Drawer({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [onClose]);
  const id = `drawer-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <>
      <div className="scrim drawer-scrim" onClick={onClose} aria-hidden="true" />
      <aside className="drawer" role="dialog" aria-labelledby={id} ref={ref} tabIndex={-1}>
        <header className="drawer-head">
          <h2 id={id}>{title}</h2>
          <button type="button" className="ghost icon" onClick={onClose} aria-label={`Close ${title}`}>
            <Icon name="close" />
          </button>
        </header>
        <div className="drawer-body">{children}</div>
      </aside>
    </>
  );
}
