/** `npm run pin`: regenerate src/circuit/pinned-artifacts.ts from the committed manifests. */
import { PINS_FILE, writePinnedArtifacts } from './lib/pins.ts';

writePinnedArtifacts();
process.stderr.write(`wrote ${PINS_FILE}\n`);
