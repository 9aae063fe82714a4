import { h } from "vue";
import { useI18n } from "vue-i18n";
import { MessagePlugin, NotifyPlugin } from "tdesign-vue-next";
import { errorView } from "../api";

/** A toast's text: a function when it must follow a language switch while the toast is shown. */
export type ToastText = string | (() => string);

const read = (text: ToastText): string => (typeof text === "function" ? text() : text);

/**
 * Shows a failed command as a notification in the current language: the errcode explained, the
 * hint, and for whitelist errors the IP to add. Returns the function to call in catch blocks.
 * The title and the content are rendered from the locale, not captured once: a toast raised in
 * Chinese reads English after a switch (pass `context` as `() => t(…)` for it to follow too).
 */
export function useErrorToast(): (err: unknown, context?: ToastText) => void {
  const { t, locale } = useI18n();
  return (err, context) => {
    const view = () => errorView(err, locale.value);
    NotifyPlugin.error({
      title: () => {
        // A shared store's failure names the store (the backend's Redis or token API) instead.
        const what = view().code === "shared_store" ? t("errors.codes.shared_store") : t("errors.failed");
        return h("span", { "data-testid": "error-toast-title" }, context ? `${read(context)}: ${what}` : what);
      },
      content: () => {
        const v = view();
        return h("div", { "data-testid": "error-toast", class: "error-toast" }, [
          h("div", { class: "error-toast__title" }, v.title),
          v.clientIp ? h("div", { "data-testid": "error-toast-ip" }, t("errors.whitelistIp", { ip: v.clientIp })) : null,
          v.hint ? h("div", { class: "error-toast__hint", "data-testid": "error-toast-hint" }, v.hint) : null,
          v.detail !== v.title ? h("div", { class: "error-toast__detail" }, v.detail) : null,
        ]);
      },
      duration: 10000,
      closeBtn: true,
    });
  };
}

/**
 * Shows a success message. `text` is called on every render, so a `() => t(…)` reads the current
 * language: a message raised in Chinese switches with the interface.
 */
export function useSuccessToast(): (text: () => string) => void {
  return (text) => {
    void MessagePlugin.success({ content: () => h("span", { "data-testid": "success-toast" }, text()) });
  };
}
