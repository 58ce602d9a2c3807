import { describeAccessibility } from '../support/a11y';

// A phone (375 px); a11y-desktop.test.ts: 1280 px.
describeAccessibility(375, 740);
