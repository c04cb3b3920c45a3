// Zoom steps of the PDF viewer ("fit width" is computed from the pane's width). A step is at
// least 5% away, so zooming from a fitted 0.98 goes to 1.1, not to a barely different 1.
export const ZOOM_STEPS = [0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3];

export function zoomIn(scale: number): number {
  return ZOOM_STEPS.find((step) => step > scale * 1.05) ?? (ZOOM_STEPS.at(-1) as number);
}

export function zoomOut(scale: number): number {
  return [...ZOOM_STEPS].reverse().find((step) => step < scale / 1.05) ?? (ZOOM_STEPS[0] as number);
}
