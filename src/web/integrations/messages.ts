import { fillIn, translator, type Locale, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

/** Texts of the administrator's pages for LMS platforms and xAPI clients. `{name}` marks a value. */
export const INTEGRATION_MESSAGES = {
  'platforms.title': m('Læringsplattformer (LTI)', 'Læringsplattformer (LTI)', 'Learning platforms (LTI)'),
  'platforms.intro': m(
    'Læringsplattformene som er registrert for {tenant}, kan starte Læringsløp. Du kan invitere en plattform til å registrere seg selv (LTI Dynamic Registration), eller registrere den med verdiene fra plattformen.',
    'Læringsplattformene som er registrerte for {tenant}, kan starte Læringsløp. Du kan invitere ei plattform til å registrere seg sjølv (LTI Dynamic Registration), eller registrere henne med verdiane frå plattforma.',
    'The learning platforms registered for {tenant} can launch Læringsløp. You can invite a platform to register itself (LTI Dynamic Registration), or register it with the values from the platform.',
  ),
  'platforms.registered': m('Registrerte plattformer', 'Registrerte plattformer', 'Registered platforms'),
  'platforms.none': m('Ingen plattformer er registrert for kommunen.', 'Ingen plattformer er registrerte for kommunen.', 'No platforms are registered for the municipality.'),
  'platforms.name': m('Navn', 'Namn', 'Name'),
  'platforms.issuer': m('Utsteder (issuer)', 'Utferdar (issuer)', 'Issuer'),
  'platforms.client-id': m('Klient-ID', 'Klient-ID', 'Client id'),
  'platforms.deployments': m('Deployment-ID-er', 'Deployment-ID-ar', 'Deployment ids'),
  'platforms.remove': m('Fjern', 'Fjern', 'Remove'),
  'platforms.remove.label': m('Fjern {name}', 'Fjern {name}', 'Remove {name}'),
  'platforms.remove.hint': m(
    'Å fjerne en plattform stopper alle innlogginger fra den med en gang. Koblingen mellom plattformens brukere og personene i Læringsløp forsvinner også; det brukerne har gjort, blir liggende.',
    'Å fjerne ei plattform stoppar alle innloggingar frå henne med ein gong. Koplinga mellom brukarane til plattforma og personane i Læringsløp forsvinn òg; det brukarane har gjort, blir liggjande.',
    'Removing a platform stops every launch from it at once. The link between the platform’s users and the people in Læringsløp goes too; what the users have done stays.',
  ),
  'platforms.own': m('Du er logget inn via denne', 'Du er logga inn via denne', 'You are signed in through this one'),
  'platforms.invite': m('Invitasjon til dynamisk registrering', 'Invitasjon til dynamisk registrering', 'Invitation to dynamic registration'),
  'platforms.invite.hint': m(
    'Lim inn adressen i plattformens verktøyregistrering (Moodle: Nettstedsadministrasjon › Programtillegg › Eksterne verktøy › Administrer verktøy). Den kan registrere én plattform.',
    'Lim inn adressa i verktøyregistreringa til plattforma (Moodle: Nettstadadministrasjon › Programtillegg › Eksterne verktøy › Administrer verktøy). Ho kan registrere éi plattform.',
    'Paste the address into the platform’s tool registration (Moodle: Site administration › Plugins › External tool › Manage tools). It can register one platform.',
  ),
  'platforms.invite.days': m('Gyldig i antall dager', 'Gyldig i tal dagar', 'Valid for days'),
  'platforms.invite.button': m('Lag invitasjonen', 'Lag invitasjonen', 'Create the invitation'),
  'platforms.invite.created': m(
    'Invitasjonen er laget. Kopier adressen nå; den vises bare denne gangen. Gyldig til {date}.',
    'Invitasjonen er laga. Kopier adressa no; ho blir berre vist denne gongen. Gyldig til {date}.',
    'The invitation is created. Copy the address now; it is shown only this once. Valid until {date}.',
  ),
  'platforms.invite.url': m('Registreringsadresse', 'Registreringsadresse', 'Registration address'),
  'platforms.invites': m('Åpne invitasjoner', 'Opne invitasjonar', 'Open invitations'),
  'platforms.invites.none': m('Ingen åpne invitasjoner.', 'Ingen opne invitasjonar.', 'No open invitations.'),
  'platforms.invites.created': m('Laget', 'Laga', 'Created'),
  'platforms.invites.expires': m('Gyldig til', 'Gyldig til', 'Valid until'),
  'platforms.invites.revoke': m('Trekk tilbake', 'Trekk tilbake', 'Revoke'),
  'platforms.invites.revoke.label': m('Trekk tilbake invitasjonen laget {date}', 'Trekk tilbake invitasjonen laga {date}', 'Revoke the invitation created {date}'),
  'platforms.manual': m('Registrer en plattform manuelt', 'Registrer ei plattform manuelt', 'Register a platform by hand'),
  'platforms.manual.hint': m(
    'For Moodle: utsteder er nettstedets adresse, autorisasjon /mod/lti/auth.php, token /mod/lti/token.php og nøkler (JWKS) /mod/lti/certs.php.',
    'For Moodle: utferdar er adressa til nettstaden, autorisasjon /mod/lti/auth.php, token /mod/lti/token.php og nøklar (JWKS) /mod/lti/certs.php.',
    'For Moodle: the issuer is the site’s address, authorisation /mod/lti/auth.php, token /mod/lti/token.php and keys (JWKS) /mod/lti/certs.php.',
  ),
  'platforms.auth-url': m('Adresse for autorisasjon (OIDC)', 'Adresse for autorisasjon (OIDC)', 'Authorisation address (OIDC)'),
  'platforms.token-url': m('Adresse for tilgangstoken', 'Adresse for tilgangstoken', 'Access token address'),
  'platforms.jwks-url': m('Adresse for plattformens nøkler (JWKS)', 'Adresse for nøklane til plattforma (JWKS)', 'Address of the platform’s keys (JWKS)'),
  'platforms.deployment-ids': m('Deployment-ID-er', 'Deployment-ID-ar', 'Deployment ids'),
  'platforms.deployment-ids.hint': m('Én per linje, eller skilt med komma.', 'Éin per linje, eller skilde med komma.', 'One per line, or separated by commas.'),
  'platforms.register.button': m('Registrer plattformen', 'Registrer plattforma', 'Register the platform'),
  'platforms.saved.registered': m('Plattformen er registrert.', 'Plattforma er registrert.', 'The platform is registered.'),
  'platforms.saved.removed': m('Plattformen er fjernet.', 'Plattforma er fjerna.', 'The platform is removed.'),
  'platforms.saved.revoked': m('Invitasjonen er trukket tilbake.', 'Invitasjonen er trekt tilbake.', 'The invitation is revoked.'),
  'refusal.url-invalid': m('Skriv en fullstendig https-adresse, for eksempel https://laering.kommune.no/mod/lti/auth.php.', 'Skriv ei fullstendig https-adresse, til dømes https://laering.kommune.no/mod/lti/auth.php.', 'Enter a full https address, for example https://learning.kommune.no/mod/lti/auth.php.'),
  'refusal.client-id-missing': m('Skriv klient-ID-en plattformen ga verktøyet.', 'Skriv klient-ID-en plattforma gav verktøyet.', 'Enter the client id the platform gave the tool.'),
  'refusal.deployments-missing': m('Skriv minst én deployment-ID.', 'Skriv minst éin deployment-ID.', 'Enter at least one deployment id.'),
  'refusal.platform-elsewhere': m(
    'Denne plattformen (utsteder og klient-ID) er registrert for en annen kommune eller region. Kontakt driftsansvarlig for Læringsløp.',
    'Denne plattforma (utferdar og klient-ID) er registrert for ein annan kommune eller region. Kontakt driftsansvarleg for Læringsløp.',
    'This platform (issuer and client id) is registered for another municipality or region. Contact the operator of Læringsløp.',
  ),
  'refusal.own-platform': m(
    'Du er logget inn via denne plattformen og kan ikke fjerne den herfra. Logg inn via en annen plattform, eller be driftsansvarlig.',
    'Du er logga inn via denne plattforma og kan ikkje fjerne henne herfrå. Logg inn via ei anna plattform, eller be driftsansvarleg.',
    'You are signed in through this platform and cannot remove it from here. Sign in through another platform, or ask the operator.',
  ),
  'refusal.days-invalid': m('Skriv et helt antall dager fra 1 til 90.', 'Skriv eit heilt tal dagar frå 1 til 90.', 'Enter a whole number of days from 1 to 90.'),
  'refusal.invite-closed': m('Invitasjonen er allerede brukt eller utløpt.', 'Invitasjonen er alt brukt eller gått ut.', 'The invitation has already been used or has expired.'),

  'xapi.title': m('Nøkler til LRS (xAPI)', 'Nøklar til LRS (xAPI)', 'LRS keys (xAPI)'),
  'xapi.intro': m(
    'Med en nøkkel kan kommunens HR- eller analysesystem hente (eller sende) xAPI-utsagn fra Læringsløps LRS på {endpoint}, bare for {tenant}. Hemmeligheten vises én gang, når nøkkelen lages.',
    'Med ein nøkkel kan HR- eller analysesystemet til kommunen hente (eller sende) xAPI-utsegner frå LRS-en til Læringsløp på {endpoint}, berre for {tenant}. Løyndomen blir vist éin gong, når nøkkelen blir laga.',
    'With a key, the municipality’s HR or analytics system can read (or send) xAPI statements from the Læringsløp LRS at {endpoint}, for {tenant} only. The secret is shown once, when the key is created.',
  ),
  'xapi.clients': m('Nøkler', 'Nøklar', 'Keys'),
  'xapi.none': m('Kommunen har ingen nøkler.', 'Kommunen har ingen nøklar.', 'The municipality has no keys.'),
  'xapi.name': m('Navn', 'Namn', 'Name'),
  'xapi.name.hint': m('Hva nøkkelen brukes til, for eksempel «HR-systemet».', 'Kva nøkkelen blir brukt til, til dømes «HR-systemet».', 'What the key is for, for example “the HR system”.'),
  'xapi.key': m('Nøkkel', 'Nøkkel', 'Key'),
  'xapi.secret': m('Hemmelighet', 'Løyndom', 'Secret'),
  'xapi.scopes': m('Tilganger', 'Tilgangar', 'Scopes'),
  'xapi.created': m('Laget', 'Laga', 'Created'),
  'xapi.status': m('Status', 'Status', 'Status'),
  'xapi.active': m('I bruk', 'I bruk', 'In use'),
  'xapi.revoked': m('Trukket tilbake {date}', 'Trekt tilbake {date}', 'Revoked {date}'),
  'xapi.revoke': m('Trekk tilbake', 'Trekk tilbake', 'Revoke'),
  'xapi.revoke.label': m('Trekk tilbake nøkkelen {name}', 'Trekk tilbake nøkkelen {name}', 'Revoke the key {name}'),
  'xapi.new': m('Ny nøkkel', 'Ny nøkkel', 'New key'),
  'xapi.new.button': m('Lag nøkkelen', 'Lag nøkkelen', 'Create the key'),
  'xapi.created.notice': m(
    'Nøkkelen er laget. Kopier hemmeligheten nå: den lagres bare som en hash og kan ikke vises igjen.',
    'Nøkkelen er laga. Kopier løyndomen no: han blir berre lagra som ein hash og kan ikkje visast att.',
    'The key is created. Copy the secret now: it is stored only as a hash and cannot be shown again.',
  ),
  'xapi.saved.revoked': m('Nøkkelen er trukket tilbake. Utsagnene den sendte, blir liggende.', 'Nøkkelen er trekt tilbake. Utsegnene han sende, blir liggjande.', 'The key is revoked. The statements it sent stay.'),
  'xapi.scope.statements/read': m('Lese alle utsagn i kommunen', 'Lese alle utsegner i kommunen', 'Read all statements of the municipality'),
  'xapi.scope.statements/read/mine': m('Lese utsagnene nøkkelen selv sendte', 'Lese utsegnene nøkkelen sjølv sende', 'Read the statements the key itself sent'),
  'xapi.scope.statements/write': m('Sende utsagn', 'Sende utsegner', 'Send statements'),
  'xapi.scope.state': m('Lese og skrive aktivitetstilstand', 'Lese og skrive aktivitetstilstand', 'Read and write activity state'),
  'xapi.scope.profile': m('Lese og skrive profiler', 'Lese og skrive profilar', 'Read and write profiles'),
  'xapi.scope.all/read': m('Lese alt', 'Lese alt', 'Read everything'),
  'xapi.scope.all': m('Alt (lese og skrive)', 'Alt (lese og skrive)', 'Everything (read and write)'),
  'xapi.scope.competence/read': m('Hente kompetanse og kompetansebehov (HR-system)', 'Hente kompetanse og kompetansebehov (HR-system)', 'Pull competence holdings and gaps (HR systems)'),
  'xapi.scope.completions/read': m('Hente fullførte læringsløp (HR-system)', 'Hente fullførte læringsløp (HR-system)', 'Pull completed learning paths (HR systems)'),
  'refusal.name-missing': m('Skriv et navn på 1 til 200 tegn.', 'Skriv eit namn på 1 til 200 teikn.', 'Enter a name of 1 to 200 characters.'),
  'refusal.scopes-missing': m('Velg minst én tilgang.', 'Vel minst éin tilgang.', 'Choose at least one scope.'),
} satisfies Record<string, Messages>;

export type IntegrationMessageId = keyof typeof INTEGRATION_MESSAGES;

const translate = translator(INTEGRATION_MESSAGES);

export function ti(locale: Locale, id: IntegrationMessageId, values: Readonly<Record<string, string | number>> = {}): string {
  return fillIn(translate(locale, id), values);
}
