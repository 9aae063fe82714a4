import { defineStore } from "pinia";
import { ref } from "vue";
import { commandError, commands, describeError, unwrap, type AppInfo } from "../api";

/** App-wide facts from the shell (version, data dir, keychain) and the IPC errors to show. */
export const useAppStore = defineStore("app", () => {
  const info = ref<AppInfo | null>(null);
  const loading = ref(false);
  /** The last IPC failure, as text for a t-alert; null when there is nothing to show. */
  const error = ref<string | null>(null);
  /** Set once `ui_ready` has been sent, so it is never sent twice. */
  const readySent = ref(false);

  function reportError(err: unknown): void {
    error.value = describeError(err);
  }

  function dismissError(): void {
    error.value = null;
  }

  /** Loads app_info; never throws — a failure lands in `error`. */
  async function loadInfo(): Promise<void> {
    loading.value = true;
    try {
      info.value = await unwrap(commands.appInfo());
    } catch (err) {
      // The typed body, so the alert keeps its code and hint (e.g. a keychain that never answered).
      reportError(commandError(err) ?? err);
    } finally {
      loading.value = false;
    }
  }

  /** Tells the shell the first screen is drawn; only the first call does anything. */
  async function signalReady(): Promise<void> {
    if (readySent.value) return;
    readySent.value = true;
    document.body.dataset.ready = "1";
    try {
      await commands.uiReady();
    } catch (err) {
      reportError(err);
    }
  }

  return { info, loading, error, readySent, reportError, dismissError, loadInfo, signalReady };
});
