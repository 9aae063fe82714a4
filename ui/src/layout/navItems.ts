import type { Component } from "vue";
import {
  GitCommitIcon,
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

/** The screens, in the order DESIGN.md lists them; Changes (issue 14) follows the table it explains. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: "/authorizers", labelKey: "nav.authorizers", testid: "nav-authorizers", icon: UsergroupIcon },
  { path: "/changes", labelKey: "nav.changes", testid: "nav-changes", icon: GitCommitIcon },
  { path: "/auth-links", labelKey: "nav.authLinks", testid: "nav-auth-links", icon: LinkIcon },
  { path: "/tokens", labelKey: "nav.tokens", testid: "nav-tokens", icon: KeyIcon },
  { path: "/messages", labelKey: "nav.messages", testid: "nav-messages", icon: MailIcon },
  { path: "/activity", labelKey: "nav.activity", testid: "nav-activity", icon: HistoryIcon },
  { path: "/profiles", labelKey: "nav.profiles", testid: "nav-profiles", icon: SettingIcon },
];
