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

/** The host models download from, as the engine worker will choose it (engine.worker.ts). */
export function downloadHost(pageHref: string, hubParam: boolean, builtInHub: string): string {
  const hub = (hubParam ? new URL(pageHref).searchParams.get('hub') : null) || builtInHub || 'https://huggingface.co';
  try {
    return new URL(hub).host;
  } catch {
    return hub;
  }
}
