import { DESKTOP } from '../support/browser';
import { describeAccessibility } from '../support/a11y';

// A desktop (1280 px); a11y-phone.test.ts: 375 px.
describeAccessibility(DESKTOP.width, DESKTOP.height);
