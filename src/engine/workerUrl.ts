/**
 * The worker's URL with the page's configuration: `?hub=<base URL>` on the page (tests point it
 * at a local Hub double) becomes `?hub=` on the worker, which reads it from its own location.
 */
export function engineWorkerHref(workerUrl: string, pageHref: string): string {
  const hub = new URL(pageHref).searchParams.get('hub');
  const url = new URL(workerUrl, pageHref);
  if (hub) url.searchParams.set('hub', hub);
  return url.href;
}
