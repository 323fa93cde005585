import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** How close to the bottom still counts as "following" the answer, in px. */
const STICK_PX = 32;

/**
 * Keeps a scroll container at the bottom while its content grows, until the user scrolls up;
 * scrolling back down (or `jump`) follows again. `deps` change when the content grows.
 */
export function useAutoScroll<T extends HTMLElement>(deps: readonly unknown[]): { ref: RefObject<T | null>; following: boolean; jump: () => void; onScroll: () => void } {
  const ref = useRef<T | null>(null);
  const [following, setFollowing] = useState(true);
  const followingRef = useRef(true);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= STICK_PX;
    if (atBottom !== followingRef.current) {
      followingRef.current = atBottom;
      setFollowing(atBottom);
    }
  }, []);

  const jump = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    followingRef.current = true;
    setFollowing(true);
    el.scrollTop = el.scrollHeight;
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && followingRef.current) el.scrollTop = el.scrollHeight;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  return { ref, following, jump, onScroll };
}
