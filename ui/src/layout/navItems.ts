import type { Component } from "vue";
import {
  DashboardIcon,
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

/** The Health page (issue 14): what needs attention on the profile. */
export const HEALTH_ITEM: NavItem = { path: "/health", labelKey: "nav.health", testid: "nav-health", icon: DashboardIcon };

/**
 * The nav in order: Health comes first once the profile has data (a sync ran), after the
 * screens that get it data (Authorizers, Changes) before that.
 */
export function navItems(hasData: boolean): readonly NavItem[] {
  if (hasData) return [HEALTH_ITEM, ...NAV_ITEMS];
  return [...NAV_ITEMS.slice(0, 2), HEALTH_ITEM, ...NAV_ITEMS.slice(2)];
}
