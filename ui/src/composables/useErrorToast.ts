import { h } from "vue";
import { useI18n } from "vue-i18n";
import { NotifyPlugin } from "tdesign-vue-next";
import { errorView } from "../api";

/**
 * Shows a failed command as a notification in the current language: the errcode explained, the
 * hint, and for whitelist errors the IP to add. Returns the function to call in catch blocks.
 */
export function useErrorToast(): (err: unknown, context?: string) => void {
  const { t, locale } = useI18n();
  return (err, context) => {
    const v = errorView(err, locale.value);
    // A shared store's failure names the store (the backend's Redis or token API) instead.
    const what = v.code === "shared_store" ? t("errors.codes.shared_store") : t("errors.failed");
    NotifyPlugin.error({
      title: context ? `${context}: ${what}` : what,
      content: () =>
        h("div", { "data-testid": "error-toast", class: "error-toast" }, [
          h("div", { class: "error-toast__title" }, v.title),
          v.clientIp ? h("div", { "data-testid": "error-toast-ip" }, t("errors.whitelistIp", { ip: v.clientIp })) : null,
          v.hint ? h("div", { class: "error-toast__hint", "data-testid": "error-toast-hint" }, v.hint) : null,
          v.detail !== v.title ? h("div", { class: "error-toast__detail" }, v.detail) : null,
        ]),
      duration: 10000,
      closeBtn: true,
    });
  };
}
