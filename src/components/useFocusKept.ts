import { type RefObject, useEffect, useRef } from 'react';

/**
 * A button that goes away or is disabled (Pause once pressed, Run while a run
 * goes) takes the keyboard focus with it. When that happens inside `container`,
 * the focus moves to the button marked `data-next` (the next step: Pause,
 * Resume or Run), so a keyboard or screen-reader user keeps their place.
 * `state` names what the buttons show; the focus is looked at when it changes.
 */
export function useFocusKept(container: RefObject<HTMLElement | null>, state: string) {
  const hadFocus = useRef(false);
  useEffect(() => {
    const track = (e: FocusEvent) => {
      hadFocus.current = container.current?.contains(e.target as Node) ?? false;
    };
    // A click elsewhere (on the page's text, which takes no focus) moves the
    // person's attention: the focus is not ours to bring back then.
    const click = (e: PointerEvent) => {
      if (!container.current?.contains(e.target as Node)) hadFocus.current = false;
    };
    document.addEventListener('focusin', track);
    document.addEventListener('pointerdown', click);
    return () => {
      document.removeEventListener('focusin', track);
      document.removeEventListener('pointerdown', click);
    };
  }, [container]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the state the buttons show changes.
  useEffect(() => {
    // A removed button leaves the focus on the body; a disabled one loses it a moment later.
    const focused = document.activeElement;
    const lost = focused === null || focused === document.body || focused.matches(':disabled');
    if (!hadFocus.current || !lost) return;
    const next =
      container.current?.querySelector<HTMLElement>('[data-next]:not(:disabled)') ??
      container.current?.querySelector<HTMLElement>('button:not(:disabled)');
    next?.focus({ preventScroll: true });
  }, [state, container]);
}
