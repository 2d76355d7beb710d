// The colour theme, remembered across visits.

import { useApp, type Theme } from '../store';

export function setTheme(theme: Theme): void {
  localStorage.setItem('castaway-theme', theme);
  useApp.setState({ theme });
}
