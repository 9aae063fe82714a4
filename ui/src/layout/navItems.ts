import type { Component } from "vue";
import {
  CheckCircleIcon,
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

export const HEALTH_ITEM: NavItem = { path: "/health", labelKey: "nav.health", testid: "nav-health", icon: CheckCircleIcon };

/** The screens, in the order DESIGN.md lists them; Changes (issue 14) follows the table it explains, Health goes in by `navItems`. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: "/authorizers", labelKey: "nav.authorizers", testid: "nav-authorizers", icon: UsergroupIcon },
  { path: "/changes", labelKey: "nav.changes", testid: "nav-changes", icon: GitCommitIcon },
  { path: "/auth-links", labelKey: "nav.authLinks", testid: "nav-auth-links", icon: LinkIcon },
  { path: "/tokens", labelKey: "nav.tokens", testid: "nav-tokens", icon: KeyIcon },
  { path: "/messages", labelKey: "nav.messages", testid: "nav-messages", icon: MailIcon },
  { path: "/activity", labelKey: "nav.activity", testid: "nav-activity", icon: HistoryIcon },
  { path: "/profiles", labelKey: "nav.profiles", testid: "nav-profiles", icon: SettingIcon },
];

/**
 * The nav: Health first once the profile's cache holds accounts (it is then the first question of
 * the day), before that just above Profiles (with nothing synced it has little to say).
 */
export function navItems(hasData: boolean): readonly NavItem[] {
  if (hasData) return [HEALTH_ITEM, ...NAV_ITEMS];
  return [...NAV_ITEMS.slice(0, -1), HEALTH_ITEM, ...NAV_ITEMS.slice(-1)];
}
