// Two panes side by side with a draggable, keyboard-operable divider (the end pane's width).
import { useCallback, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from "react";

const STEP = 32;

export function ResizableSplit(props: {
  main: ReactNode;
  side: ReactNode;
  sideLabel: string;
  initialSide?: number;
  minSide?: number;
  maxSide?: number;
}) {
  const { minSide = 280, maxSide = 720 } = props;
  const [side, setSide] = useState(props.initialSide ?? 380);
  const container = useRef<HTMLDivElement>(null);
  const clamp = useCallback((v: number) => Math.max(minSide, Math.min(maxSide, v)), [minSide, maxSide]);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (!event.currentTarget.hasPointerCapture(event.pointerId) || !container.current) return;
    const box = container.current.getBoundingClientRect();
    setSide(clamp(box.right - event.clientX));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "ArrowLeft") setSide((v) => clamp(v + STEP));
    else if (event.key === "ArrowRight") setSide((v) => clamp(v - STEP));
    else return;
    event.preventDefault();
  };

  return (
    <div className="split" ref={container} style={{ ["--side-width" as string]: `${side}px` }}>
      <div className="split__main">{props.main}</div>
      <div
        className="split__handle"
        role="separator"
        tabIndex={0}
        aria-orientation="vertical"
        aria-label={`Resize ${props.sideLabel}`}
        aria-valuenow={side}
        aria-valuemin={minSide}
        aria-valuemax={maxSide}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onKeyDown={onKeyDown}
      />
      <div className="split__side">{props.side}</div>
    </div>
  );
}
