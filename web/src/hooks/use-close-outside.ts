/** Closes a popup (menu, picker) when the user clicks anywhere outside its root element. */
import { useEffect, useRef } from "react";
import type { RefObject } from "react";

/** While `open`, a mousedown outside `root` calls `close`. */
export function useCloseOnOutsideClick(root: RefObject<HTMLElement | null>, open: boolean, close: () => void): void {
  // The latest callback, so a new closure per render does not re-subscribe the listener.
  const onClose = useRef(close);
  onClose.current = close;
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e: MouseEvent) => {
      if (root.current && e.target instanceof Node && !root.current.contains(e.target)) onClose.current();
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open, root]);
}
