import { createI18n } from "vue-i18n";
import zhBase from "./locales/zh-CN.json";
import enBase from "./locales/en.json";
// One file pair per area of the app (its own top-level key), so screens grow independently.
import zhAuthorizers from "./locales/areas/authorizers.zh-CN.json";
import enAuthorizers from "./locales/areas/authorizers.en.json";
import zhSetup from "./locales/areas/setup.zh-CN.json";
import enSetup from "./locales/areas/setup.en.json";
import zhLinks from "./locales/areas/links.zh-CN.json";
import enLinks from "./locales/areas/links.en.json";
import zhShared from "./locales/areas/shared.zh-CN.json";
import enShared from "./locales/areas/shared.en.json";
import zhExport from "./locales/areas/export.zh-CN.json";
import enExport from "./locales/areas/export.en.json";
import zhChanges from "./locales/areas/changes.zh-CN.json";
import enChanges from "./locales/areas/changes.en.json";
import zhHealth from "./locales/areas/health.zh-CN.json";
import enHealth from "./locales/areas/health.en.json";

const zhCN = { ...zhBase, ...zhAuthorizers, ...zhSetup, ...zhLinks, ...zhShared, ...zhExport, ...zhChanges, ...zhHealth };
const en = { ...enBase, ...enAuthorizers, ...enSetup, ...enLinks, ...enShared, ...enExport, ...enChanges, ...enHealth };

/** The zh-CN files are the source of truth for keys; en must match exactly (see i18n.spec.ts). */
export type MessageSchema = typeof zhCN;

declare module "vue-i18n" {
  // Global message schema: editor completion for `t("…")` keys.
  export interface DefineLocaleMessage extends MessageSchema {}
}

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";

/** Each language named in itself: the language toggle shows the one it switches to. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = {
  "zh-CN": "中文",
  en: "English",
};

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

export const messages: Record<Locale, MessageSchema> = { "zh-CN": zhCN, en };

export function createConsoleI18n(locale: Locale = DEFAULT_LOCALE) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: DEFAULT_LOCALE,
    messages,
  });
}

export type ConsoleI18n = ReturnType<typeof createConsoleI18n>;
