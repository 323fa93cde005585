// The blinking cursor after the last word of an answer still streaming. The text carries a
// private-use sentinel at its end; this rehype plugin puts the cursor element where the
// sentinel landed, or after the code block that holds it (code keeps its text exact).

import type { Element, ElementContent, Root, RootContent } from 'hast';

/** Appended to streaming text; never produced by a tokenizer's printable output in practice. */
export const CURSOR_SENTINEL = '\uE000';

const cursorElement = (): Element => ({
  type: 'element',
  tagName: 'span',
  properties: { className: ['cursor'], dataTestid: 'cursor', ariaHidden: 'true' },
  children: [],
});

type Parent = Root | Element;

/** Removes the sentinel under `node`; true when it was found there. */
function takeSentinel(node: Parent): boolean {
  for (let i = node.children.length - 1; i >= 0; i--) {
    const child = node.children[i];
    if (child.type === 'text' && child.value.includes(CURSOR_SENTINEL)) {
      child.value = child.value.replace(CURSOR_SENTINEL, '');
      return true;
    }
    if (child.type === 'element' && takeSentinel(child)) return true;
  }
  return false;
}

/** Puts the cursor where the sentinel is: inline, or after the `pre` that holds it. */
function placeCursor(node: Parent): boolean {
  for (let i = node.children.length - 1; i >= 0; i--) {
    const child: RootContent | ElementContent = node.children[i];
    if (child.type === 'text') {
      const at = child.value.indexOf(CURSOR_SENTINEL);
      if (at < 0) continue;
      const before = { type: 'text' as const, value: child.value.slice(0, at) };
      const after = { type: 'text' as const, value: child.value.slice(at + CURSOR_SENTINEL.length) };
      node.children.splice(i, 1, before, cursorElement(), after);
      return true;
    }
    if (child.type !== 'element') continue;
    if (child.tagName === 'pre') {
      if (!takeSentinel(child)) continue;
      node.children.splice(i + 1, 0, cursorElement());
      return true;
    }
    if (placeCursor(child)) return true;
  }
  return false;
}

/** rehype plugin: the cursor at the sentinel, or at the very end when the sentinel vanished (a rule, an empty text). */
export function rehypeStreamCursor() {
  return (tree: Root): void => {
    if (!placeCursor(tree)) tree.children.push(cursorElement());
  };
}
