import { useRef, useState } from 'react';
import { describeError } from '../engine/errorHelp.ts';
import { Icon } from '../ui/Icon.tsx';
import { useConversationActions } from './useConversationActions.ts';
import { useConversationList, useConversationSearch } from './useConversations.ts';
import type { ConversationSummary } from './types.ts';

interface Props {
  readonly selected: string | undefined;
  readonly onSelect: (id: string | undefined) => void;
  readonly open: boolean;
  readonly onClose: () => void;
}

/** New chat, search, the conversation list, export and import. */
export function Sidebar({ selected, onSelect, open, onClose }: Props) {
  const [query, setQuery] = useState('');
  const list = useConversationList();
  const search = useConversationSearch(query);
  const rows = query.trim() ? search.data : list.data;
  const actions = useConversationActions();
  const [notice, setNotice] = useState<string | undefined>();
  const importInput = useRef<HTMLInputElement>(null);

  const pick = (id: string | undefined): void => {
    onSelect(id);
    onClose();
  };

  return (
    <nav className={`sidebar${open ? ' open' : ''}`} aria-label="Conversations">
      <div className="sidebar-top">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span>Pakar</span>
          <span className="muted small">private, on-device</span>
        </div>
        <button type="button" className="primary wide" onClick={() => pick(undefined)} aria-label="New chat">
          <Icon name="plus" /> New chat
        </button>
        <input type="search" className="search" placeholder="Search chats" aria-label="Search conversations" value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      <ul className="conv-list">
        {rows?.map((c) => (
          <ConversationRow
            key={c.id}
            conv={c}
            active={c.id === selected}
            onSelect={() => pick(c.id)}
            onRename={(title) => void actions.rename(c.id, title)}
            onDelete={() => {
              void actions.remove(c.id);
              if (c.id === selected) onSelect(undefined);
            }}
          />
        ))}
        {rows?.length === 0 && <li className="muted empty">{query.trim() ? 'No conversation matches.' : 'No conversations yet.'}</li>}
      </ul>
      <div className="sidebar-bottom">
        {notice && (
          <p className="muted small" role="status">
            {notice}
          </p>
        )}
        <div className="row">
          <button type="button" className="ghost small" onClick={() => void actions.exportAll().then((n) => setNotice(`Exported ${n} conversation${n === 1 ? '' : 's'}.`))}>
            Export
          </button>
          <button type="button" className="ghost small" onClick={() => importInput.current?.click()}>
            Import
          </button>
          <input
            ref={importInput}
            type="file"
            accept="application/json,.json"
            aria-label="Import conversations"
            hidden
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (!file) return;
              actions.importFile(file).then(
                (n) => setNotice(`Imported ${n} conversation${n === 1 ? '' : 's'}.`),
                (err: unknown) => setNotice(`Import failed: ${describeError(err).message}`),
              );
            }}
          />
        </div>
      </div>
    </nav>
  );
}

function ConversationRow({ conv, active, onSelect, onRename, onDelete }: { conv: ConversationSummary; active: boolean; onSelect: () => void; onRename: (t: string) => void; onDelete: () => void }) {
  const [renaming, setRenaming] = useState(false);
  const cancelled = useRef(false);
  if (renaming) {
    return (
      <li className="conv active">
        <input
          className="rename"
          aria-label="Conversation title"
          defaultValue={conv.title}
          autoFocus
          onFocus={(e) => e.target.select()}
          onBlur={(e) => {
            if (!cancelled.current) onRename(e.target.value);
            setRenaming(false);
          }}
          onKeyDown={(e) => {
            cancelled.current = e.key === 'Escape';
            if (e.key === 'Enter' || e.key === 'Escape') e.currentTarget.blur();
          }}
        />
      </li>
    );
  }
  return (
    <li className={`conv${active ? ' active' : ''}`}>
      <button
        type="button"
        className="conv-title"
        onClick={onSelect}
        onDoubleClick={() => ((cancelled.current = false), setRenaming(true))}
        aria-current={active ? 'page' : undefined}
        title={conv.title}
      >
        {conv.title}
      </button>
      <span className="conv-tools">
        <button type="button" className="ghost icon" aria-label={`Rename ${conv.title}`} title="Rename" onClick={() => ((cancelled.current = false), setRenaming(true))}>
          <Icon name="pencil" size={16} />
        </button>
        <button type="button" className="ghost icon" aria-label={`Delete ${conv.title}`} title="Delete" onClick={onDelete}>
          <Icon name="trash" size={16} />
        </button>
      </span>
    </li>
  );
}
