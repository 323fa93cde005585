// Block markdown (the subset models write: headings, paragraphs, fenced code, lists, quotes,
// rules, pipe tables) to a small tree. Line based and forgiving: a half-streamed answer (an
// unclosed fence, a list still growing) parses to what it will become.

import { parseInline, type Inline } from './inline.ts';

export type Align = 'left' | 'center' | 'right' | undefined;

export type Block =
  | { readonly type: 'heading'; readonly level: number; readonly children: Inline[] }
  | { readonly type: 'paragraph'; readonly children: Inline[] }
  | { readonly type: 'code'; readonly lang: string; readonly text: string; readonly closed: boolean }
  | { readonly type: 'list'; readonly ordered: boolean; readonly start: number; readonly items: Block[][] }
  | { readonly type: 'quote'; readonly children: Block[] }
  | { readonly type: 'hr' }
  | { readonly type: 'table'; readonly align: Align[]; readonly header: Inline[][]; readonly rows: Inline[][][] };

const FENCE = /^( {0,3})(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const HR = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(?:[ \t]+(.*)|[ \t]*$)/;
const TABLE_DELIM = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

export function parseMarkdown(src: string): Block[] {
  return parseBlocks(src.replace(/\r\n?/g, '\n').split('\n'));
}

function parseBlocks(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const parsed = fence(lines, i) ?? heading(lines, i) ?? rule(lines, i) ?? quote(lines, i) ?? list(lines, i) ?? table(lines, i) ?? paragraph(lines, i);
    blocks.push(parsed.block);
    i = parsed.next;
  }
  return blocks;
}

interface Parsed {
  readonly block: Block;
  readonly next: number;
}

function fence(lines: readonly string[], i: number): Parsed | undefined {
  const m = FENCE.exec(lines[i]);
  if (!m) return undefined;
  const [, indent, marker, lang] = m;
  const body: string[] = [];
  let j = i + 1;
  for (; j < lines.length; j++) {
    const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`);
    if (close.test(lines[j])) return { block: { type: 'code', lang, text: body.join('\n'), closed: true }, next: j + 1 };
    body.push(lines[j].replace(new RegExp(`^ {0,${indent.length}}`), ''));
  }
  return { block: { type: 'code', lang, text: body.join('\n'), closed: false }, next: j };
}

function heading(lines: readonly string[], i: number): Parsed | undefined {
  const m = HEADING.exec(lines[i]);
  return m ? { block: { type: 'heading', level: m[1].length, children: parseInline(m[2] ?? '') }, next: i + 1 } : undefined;
}

function rule(lines: readonly string[], i: number): Parsed | undefined {
  return HR.test(lines[i]) ? { block: { type: 'hr' }, next: i + 1 } : undefined;
}

function quote(lines: readonly string[], i: number): Parsed | undefined {
  if (!QUOTE.test(lines[i])) return undefined;
  const inner: string[] = [];
  let j = i;
  for (; j < lines.length && QUOTE.test(lines[j]); j++) inner.push(lines[j].replace(QUOTE, ''));
  return { block: { type: 'quote', children: parseBlocks(inner) }, next: j };
}

/** A list: items of one kind (bullets or numbers); lines indented past the marker belong to the item. */
function list(lines: readonly string[], i: number): Parsed | undefined {
  const first = ITEM.exec(lines[i]);
  if (!first) return undefined;
  const ordered = /\d/.test(first[2]);
  const items: string[][] = [];
  let j = i;
  let blankBefore = false;
  while (j < lines.length) {
    const line = lines[j];
    const m = ITEM.exec(line);
    if (m && /\d/.test(m[2]) === ordered && m[1].length <= first[1].length + 1 && !HR.test(line)) {
      items.push([m[3] ?? '']);
      blankBefore = false;
      j++;
      continue;
    }
    const item = items[items.length - 1];
    if (line.trim() === '') {
      item.push('');
      blankBefore = true;
      j++;
      continue;
    }
    const indent = /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
    const contentIndent = first[1].length + first[2].length + 1;
    if (indent >= Math.min(contentIndent, 2)) {
      item.push(line.replace(new RegExp(`^[ \\t]{0,${contentIndent}}`), ''));
    } else if (!blankBefore && !startsBlock(line)) {
      item.push(line.trim()); // lazy continuation of the item's paragraph
    } else {
      break;
    }
    blankBefore = false;
    j++;
  }
  while (items.length > 0 && items[items.length - 1].length > 1 && items[items.length - 1].at(-1) === '') items[items.length - 1].pop();
  return { block: { type: 'list', ordered, start: ordered ? parseInt(first[2], 10) : 1, items: items.map(parseBlocks) }, next: j };
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cell = '';
  for (let k = 0; k < s.length; k++) {
    if (s[k] === '\\' && s[k + 1] === '|') {
      cell += '|';
      k++;
    } else if (s[k] === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += s[k];
  }
  cells.push(cell.trim());
  return cells;
}

function table(lines: readonly string[], i: number): Parsed | undefined {
  if (!lines[i].includes('|') || i + 1 >= lines.length || !TABLE_DELIM.test(lines[i + 1]) || !lines[i + 1].includes('-')) return undefined;
  const header = splitRow(lines[i]);
  const delims = splitRow(lines[i + 1]);
  if (delims.length !== header.length) return undefined;
  const align = delims.map((d): Align => (d.startsWith(':') && d.endsWith(':') ? 'center' : d.endsWith(':') ? 'right' : d.startsWith(':') ? 'left' : undefined));
  const rows: Inline[][][] = [];
  let j = i + 2;
  for (; j < lines.length && lines[j].trim() !== '' && lines[j].includes('|'); j++) {
    const cells = splitRow(lines[j]);
    rows.push(header.map((_, k) => parseInline(cells[k] ?? '')));
  }
  return { block: { type: 'table', align, header: header.map((h) => parseInline(h)), rows }, next: j };
}

/** Whether a line would interrupt a paragraph. */
function startsBlock(line: string): boolean {
  const item = ITEM.exec(line);
  return FENCE.test(line) || HEADING.test(line) || HR.test(line) || QUOTE.test(line) || (!!item && item[3] !== undefined && (!/\d/.test(item[2]) || /^1[.)]/.test(item[2])));
}

function paragraph(lines: readonly string[], i: number): Parsed {
  const body = [lines[i].trim()];
  let j = i + 1;
  for (; j < lines.length && lines[j].trim() !== '' && !startsBlock(lines[j]) && !(lines[j].includes('|') && TABLE_DELIM.test(lines[j + 1] ?? '')); j++) {
    body.push(lines[j].trim());
  }
  return { block: { type: 'paragraph', children: parseInline(body.join('\n')) }, next: j };
}
