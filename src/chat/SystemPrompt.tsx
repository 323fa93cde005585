import { useEffect, useState } from 'react';

/** The conversation's system prompt, folded away until asked for; saved when the field is left. */
export function SystemPrompt({ value, onChange, disabled }: { value: string; onChange: (text: string) => void; disabled: boolean }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const summary = value.trim() === '' ? 'No system prompt' : value.trim().split('\n')[0];
  return (
    <details className="system-prompt">
      <summary>
        <span className="label">System prompt</span> <span className="muted ellipsis">{summary}</span>
      </summary>
      <textarea
        aria-label="System prompt"
        placeholder="e.g. You are a concise assistant. Answer in British English."
        value={text}
        disabled={disabled}
        rows={3}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => text !== value && onChange(text)}
      />
      <p className="muted small">Applies to the next answer. Changing it makes the model read the whole conversation again.</p>
    </details>
  );
}
