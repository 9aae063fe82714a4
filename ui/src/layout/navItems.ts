import type { Component } from "vue";
import {
  HistoryIcon,
  KeyIcon,
  LinkIcon,
  MailIcon,
  SettingIcon,
  UsergroupIcon,
} from "tdesign-icons-vue-next";
import type { MessageSchema } from "../i18n";

export interface NavItem {
  /** Route path; also the menu value. */
  path: string;
  labelKey: `nav.${Exclude<keyof MessageSchema["nav"], "ariaLabel">}`;
  testid: string;
  icon: Component;
}

/** The six screens, in the order DESIGN.md lists them. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: "/authorizers", labelKey: "nav.authorizers", testid: "nav-authorizers", icon: UsergroupIcon },
  { path: "/auth-links", labelKey: "nav.authLinks", testid: "nav-auth-links", icon: LinkIcon },
  { path: "/tokens", labelKey: "nav.tokens", testid: "nav-tokens", icon: KeyIcon },
  { path: "/messages", labelKey: "nav.messages", testid: "nav-messages", icon: MailIcon },
  { path: "/activity", labelKey: "nav.activity", testid: "nav-activity", icon: HistoryIcon },
  { path: "/profiles", labelKey: "nav.profiles", testid: "nav-profiles", icon: SettingIcon },
];
