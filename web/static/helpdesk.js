// The helpdesk's drive-recovery page: key ID, reason and (for standard helpdesk) the caller,
// then the password, or the candidates of an ambiguous key ID to choose from.
import { loadSettings, requireSession, showMessage } from './page.js';
import { showCandidates, wireRecoveryForm } from './recovery.js';

const form = document.getElementById('recovery-form');
const keyId = document.getElementById('key-id');
const endUser = document.getElementById('end-user');
const candidates = document.getElementById('candidates');

async function start() {
  loadSettings();
  const session = await requireSession(['helpdesk', 'advanced-helpdesk', 'admin']);
  if (!session) return;
  // Standard helpdesk must name the caller; the others may.
  endUser.required = session.role === 'helpdesk';
  try {
    await wireRecoveryForm(form, {
      prepare: (body) => {
        candidates.hidden = true;
        if (endUser.value.trim() !== '') return { ...body, end_user: endUser.value.trim() };
        if (!endUser.required) return body;
        endUser.focus();
        throw new Error('Type the user of the computer (DOMAIN\\name): helpdesk staff must ' +
                        'name the person they help.');
      },
      onAmbiguous: (answer) => showCandidates(candidates, answer, (id) => {
        keyId.value = id;
        candidates.hidden = true;
        form.requestSubmit();
      }),
      describeFailure: (error) => [error.message],
    });
  } catch (error) {
    showMessage(error.message);
  }
}

start();
