/**
 * The worker's URL with the page's configuration. Only builds made for tests (PAKAR_TEST_HUB=1,
 * `__PAKAR_HUB_PARAM__`) honour `?hub=<base URL>`, which points downloads at a local Hub double;
 * in a production build a crafted link must not redirect model downloads to another host.
 */
export function engineWorkerHref(workerUrl: string, pageHref: string, hubParam: boolean): string {
  const url = new URL(workerUrl, pageHref);
  const hub = hubParam ? new URL(pageHref).searchParams.get('hub') : null;
  if (hub) url.searchParams.set('hub', hub);
  return url.href;
}
