// A small syntax highlighter for code blocks: comments, strings, numbers, keywords and
// function names, with the comment style chosen by language. Not a parser: good enough to
// read code at a glance, and it never changes the text (the tokens concatenate to the input).

export type TokenKind = 'plain' | 'comment' | 'string' | 'number' | 'keyword' | 'literal' | 'function' | 'type';

export interface CodeToken {
  readonly kind: TokenKind;
  readonly text: string;
}

type CommentStyle = 'c' | 'hash' | 'sql' | 'html' | 'none';

const HASH = new Set([
  'python',
  'py',
  'bash',
  'sh',
  'shell',
  'zsh',
  'ruby',
  'rb',
  'yaml',
  'yml',
  'toml',
  'r',
  'perl',
  'dockerfile',
  'makefile',
  'make',
  'ini',
  'conf',
  'powershell',
  'ps1',
  'nim',
  'elixir',
]);
const SQL = new Set(['sql', 'lua', 'haskell', 'hs']);
const HTML = new Set(['html', 'xml', 'svg', 'vue', 'markdown', 'md']);
const NONE = new Set(['text', 'txt', 'plain', 'plaintext', 'json', 'csv', 'diff', 'output', 'log']);

const KEYWORDS = new Set(
  (
    'abstract and as assert async await break case catch class const continue def default defer del delete do elif else enum except export extends ' +
    'extern final finally fn for from func function go goto if impl implements import in interface is lambda let loop match mod module move mut new not ' +
    'of or package pass private protected pub public raise readonly ref return select self static struct super switch then this throw throws trait try ' +
    'type typeof union unsafe use using var virtual void volatile where while with yield begin end local elsif unless until echo fi esac done ' +
    'SELECT FROM WHERE INSERT INTO UPDATE DELETE CREATE TABLE JOIN ON GROUP BY ORDER LIMIT AND OR NOT NULL AS VALUES SET'
  ).split(' '),
);
const LITERALS = new Set('true false null undefined None True False nil NaN Infinity'.split(' '));
const TYPES = /^(?:[A-Z][A-Za-z0-9_]*|int|float|double|char|bool|boolean|string|str|u8|u16|u32|u64|i8|i16|i32|i64|f32|f64|usize|isize|long|short|byte|number|any|unknown|never|vec[234]?f?)$/;

function commentStyle(lang: string): CommentStyle {
  const l = lang.toLowerCase();
  if (HASH.has(l)) return 'hash';
  if (SQL.has(l)) return 'sql';
  if (HTML.has(l)) return 'html';
  if (NONE.has(l)) return 'none';
  return 'c';
}

const COMMENT: Record<CommentStyle, string> = {
  c: String.raw`\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)`,
  hash: String.raw`#[^\n]*`,
  sql: String.raw`--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)`,
  html: String.raw`<!--[\s\S]*?(?:-->|$)`,
  none: String.raw`(?!)`,
};

const STRING = String.raw`"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|\x60(?:[^\x60\\]|\\[\s\S])*\x60?`;
const NUMBER = String.raw`\b(?:0[xX][\da-fA-F_]+|0[bB][01_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)[a-zA-Z]*\b`;
const WORD = String.raw`[A-Za-z_$][\w$]*`;

const patterns = new Map<CommentStyle, RegExp>();
function pattern(style: CommentStyle): RegExp {
  let re = patterns.get(style);
  if (!re) {
    re = new RegExp(`(${COMMENT[style]})|(${STRING})|(${NUMBER})|(${WORD})`, 'g');
    patterns.set(style, re);
  }
  return re;
}

export function highlight(code: string, lang: string): CodeToken[] {
  const style = commentStyle(lang);
  const tokens: CodeToken[] = [];
  const push = (kind: TokenKind, text: string): void => {
    const last = tokens[tokens.length - 1];
    if (last && last.kind === kind) tokens[tokens.length - 1] = { kind, text: last.text + text };
    else tokens.push({ kind, text });
  };
  const re = pattern(style);
  re.lastIndex = 0;
  let at = 0;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    if (m.index > at) push('plain', code.slice(at, m.index));
    const [text, comment, string, number, word] = m;
    if (comment) push('comment', text);
    else if (string) push(style === 'none' && lang !== 'json' ? 'plain' : 'string', text);
    else if (number) push('number', text);
    else if (word) push(wordKind(word, code, re.lastIndex, style), text);
    at = re.lastIndex;
  }
  if (at < code.length) push('plain', code.slice(at));
  return tokens;
}

function wordKind(word: string, code: string, end: number, style: CommentStyle): TokenKind {
  if (style === 'none') return LITERALS.has(word) ? 'literal' : 'plain';
  if (LITERALS.has(word)) return 'literal';
  if (KEYWORDS.has(word)) return 'keyword';
  if (/^\s*\(/.test(code.slice(end, end + 8))) return 'function';
  if (TYPES.test(word)) return 'type';
  return 'plain';
}
