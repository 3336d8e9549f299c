import { useEffect, type ReactNode } from 'react';

/** The page's one h1 (focusable, so navigation can move focus to it) and the document title. */
export function Title({ children, text }: { children: ReactNode; text: string }) {
  useEffect(() => {
    document.title = `${text} · Flotilla`;
  }, [text]);
  return <h1 tabIndex={-1}>{children}</h1>;
}
