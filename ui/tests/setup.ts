import { afterEach, beforeEach } from "vitest";
import { enableAutoUnmount } from "@vue/test-utils";
import { clearMocks } from "@tauri-apps/api/mocks";

enableAutoUnmount(afterEach);

beforeEach(() => {
  localStorage.clear();
  const root = document.documentElement;
  root.removeAttribute("theme-mode");
  root.removeAttribute("data-theme");
  root.removeAttribute("lang");
  delete document.body.dataset.ready;
});

afterEach(() => {
  clearMocks();
});
