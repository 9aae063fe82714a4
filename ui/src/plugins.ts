import { createPinia } from "pinia";
import type { RouterHistory } from "vue-router";
import { createConsoleI18n } from "./i18n";
import { createConsoleRouter } from "./router";
import { usePrefsStore } from "./stores/prefs";
import { useProfilesStore } from "./stores/profiles";
import { useAppStore } from "./stores/app";

/** Pinia, vue-i18n and the router, wired the same way for the app and its tests. */
export function createConsolePlugins(history?: RouterHistory) {
  const pinia = createPinia();
  // The stored language is known before the first render, so there is no zh→en flash.
  const i18n = createConsoleI18n(usePrefsStore(pinia).locale);
  const profiles = useProfilesStore(pinia);
  const router = createConsoleRouter(history, async () => {
    try {
      const list = profiles.loaded ? profiles.list : await profiles.load();
      return list.length > 0;
    } catch (err) {
      // The profile list is unreadable (database, keychain…): show it, stay where asked.
      useAppStore(pinia).reportError(err);
      return true;
    }
  });
  return { pinia, i18n, router };
}
