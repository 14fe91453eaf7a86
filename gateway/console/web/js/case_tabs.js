// The case panel's three tabs (経過 / ケース・担当 / 緊急度・つなぎ・記録): one visible at a
// time so the 経過記録 is never below eight forms. WAI-ARIA tabs: arrow keys move between
// them, only the selected one is in the tab order.
import { $ } from './dom.js';

const TABS = ['history', 'case', 'actions'];

export function showCaseTab(name, focus) {
  TABS.forEach((t) => {
    const tab = $(`case-tab-${t}`);
    const on = t === name;
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
    $(`case-tabpanel-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  });
}

export function bindCaseTabs() {
  TABS.forEach((t, i) => {
    const tab = $(`case-tab-${t}`);
    tab.addEventListener('click', () => showCaseTab(t));
    tab.addEventListener('keydown', (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (step) showCaseTab(TABS[(i + step + TABS.length) % TABS.length], true);
      else if (e.key === 'Home') showCaseTab(TABS[0], true);
      else if (e.key === 'End') showCaseTab(TABS[TABS.length - 1], true);
      else return;
      e.preventDefault();
    });
  });
}
