import { install, useInstallState } from './installPrompt.ts';

/** Offered where the browser can install Pakar as an app; gone once it is installed. */
export function InstallButton() {
  const { canInstall, installed } = useInstallState();
  if (!canInstall || installed) return null;
  return (
    <button type="button" className="ghost install" onClick={() => void install()} title="Install Pakar as an app: its own window, and it starts offline">
      Install app
    </button>
  );
}
