import type { GlobalConfigProvider } from "tdesign-vue-next";
import tdZhCN from "tdesign-vue-next/es/locale/zh_CN";
import tdEnUS from "tdesign-vue-next/es/locale/en_US";
import type { Locale } from "./index";

// TDesign types its locale packs `as const` (readonly arrays) while
// ConfigProvider's prop wants mutable ones; the data is the same, hence the casts.
/** TDesign's own component texts (pagination, date pickers, empty states…) per app locale. */
export const TDESIGN_LOCALES: Readonly<Record<Locale, GlobalConfigProvider>> = {
  "zh-CN": tdZhCN as unknown as GlobalConfigProvider,
  en: tdEnUS as unknown as GlobalConfigProvider,
};
