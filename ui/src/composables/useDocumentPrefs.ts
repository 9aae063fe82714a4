import { onScopeDispose, watchEffect } from "vue";
import { useI18n } from "vue-i18n";
import { usePrefsStore, type EffectiveTheme } from "../stores/prefs";

/** TDesign switches its tokens on `<html theme-mode="dark">`; tests read `data-theme`. */
export function applyTheme(root: HTMLElement, mode: EffectiveTheme): void {
  if (mode === "dark") root.setAttribute("theme-mode", "dark");
  else root.removeAttribute("theme-mode");
  root.dataset.theme = mode;
  root.style.colorScheme = mode;
}

/**
 * Mirrors the preferences onto the document: vue-i18n's locale, `<html lang>`,
 * the window title and the theme, and follows the OS colour scheme while the
 * calling component lives.
 */
export function useDocumentPrefs(): void {
  const prefs = usePrefsStore();
  const { locale, t } = useI18n({ useScope: "global" });
  const root = document.documentElement;

  watchEffect(() => {
    locale.value = prefs.locale;
    root.lang = prefs.locale;
    document.title = `${t("app.name")} · ${t("app.tagline")}`;
  });
  watchEffect(() => applyTheme(root, prefs.effectiveTheme));

  onScopeDispose(prefs.followSystemTheme());
}
