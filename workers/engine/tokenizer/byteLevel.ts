// GPT-2's byte ↔ unicode mapping: byte-level BPE vocabularies spell every byte as a
// printable character (space → 'Ġ', newline → 'Ċ').

function build(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    map[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  }
  return map;
}

/** Character that stands for each byte. */
export const byteToUnicode: readonly string[] = build();

/** Byte for each such character. */
export const unicodeToByte: ReadonlyMap<string, number> = new Map(byteToUnicode.map((c, b) => [c, b]));
