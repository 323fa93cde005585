// Which Pakar this is: package.json's version and the build's id (vite.config.ts `define`).

export const appVersion: string = __PAKAR_VERSION__;
export const buildId: string = __PAKAR_BUILD__;
