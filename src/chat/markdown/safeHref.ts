// Which link targets model output may carry: absolute http(s) and mailto URLs only.

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** `href` when it is an absolute http(s) or mailto URL; anything else (javascript:, data:, relative) is refused. */
export function safeHref(href: string): string | undefined {
  const trimmed = href.trim().replace(/^<|>$/g, '');
  // Control characters and spaces inside a scheme are how `java\tscript:` slips past naive checks.
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}
