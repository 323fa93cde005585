import { describe, expect, it } from 'vitest';
import { highlight, type CodeToken } from '../../src/chat/markdown/highlight.ts';

const kinds = (tokens: CodeToken[], kind: CodeToken['kind']): string[] => tokens.filter((t) => t.kind === kind).map((t) => t.text);

describe('highlight', () => {
  const samples: [string, string][] = [
    ['ts', 'const x: number = 42; // answer\nfunction f(a) { return "s\\"q" + `t${a}`; }\n/* block */'],
    ['python', 'def f(x):\n    # comment\n    return x * 2.5e3 if x else None\n'],
    ['sql', 'SELECT name FROM t WHERE id = 3 -- why\n'],
    ['', 'unterminated "string\nnext line'],
    ['json', '{"a": [1, true, null]}'],
  ];

  it.each(samples)('never changes the text (%s)', (lang, code) => {
    expect(
      highlight(code, lang)
        .map((t) => t.text)
        .join(''),
    ).toBe(code);
  });

  it('finds comments, strings, numbers, keywords and calls by language', () => {
    const ts = highlight(samples[0][1], 'ts');
    expect(kinds(ts, 'comment')).toEqual(['// answer', '/* block */']);
    expect(kinds(ts, 'keyword')).toEqual(['const', 'function', 'return']);
    expect(kinds(ts, 'number')).toEqual(['42']);
    expect(kinds(ts, 'string')).toEqual(['"s\\"q"', '`t${a}`']);
    expect(kinds(ts, 'function')).toEqual(['f']);

    const py = highlight(samples[1][1], 'python');
    expect(kinds(py, 'comment')).toEqual(['# comment']);
    expect(kinds(py, 'literal')).toEqual(['None']);
    expect(kinds(py, 'number')).toEqual(['2.5e3']);

    expect(kinds(highlight(samples[2][1], 'sql'), 'comment')).toEqual(['-- why']);
    // A string never runs past the end of its line.
    expect(kinds(highlight(samples[3][1], ''), 'string')).toEqual(['"string']);
  });
});
