import { afterEach, beforeEach } from "vitest";
import { enableAutoUnmount } from "@vue/test-utils";
import { clearMocks, mockConvertFileSrc } from "@tauri-apps/api/mocks";

enableAutoUnmount(afterEach);

beforeEach(() => {
  // The shell's URL form for its custom protocols (simulator images), as on Linux.
  mockConvertFileSrc("linux");
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
