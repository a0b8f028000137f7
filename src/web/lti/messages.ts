import { translator, type Messages } from '../i18n.js';
import type { RefusalCode } from '../../lti/refusal.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

const REFUSALS: Record<`refusal.${RefusalCode}`, Messages> = {
  'refusal.bad-login-request': m('Innloggingsforespørselen fra læringsplattformen manglet nødvendige opplysninger.', 'Innloggingsførespurnaden frå læringsplattforma mangla naudsynte opplysningar.', 'The login request from the learning platform lacked required information.'),
  'refusal.unknown-platform': m('Læringsplattformen er ikke registrert hos Læringsløp. Be administratoren registrere den.', 'Læringsplattforma er ikkje registrert hos Læringsløp. Be administratoren registrere ho.', 'The learning platform is not registered with Læringsløp. Ask the administrator to register it.'),
  'refusal.missing-state': m('Oppstarten manglet tilstandsverdien (state). Start på nytt fra læringsplattformen.', 'Oppstarten mangla tilstandsverdien (state). Start på nytt frå læringsplattforma.', 'The launch lacked its state value. Start again from the learning platform.'),
  'refusal.state-mismatch': m('Oppstarten hørte ikke til denne nettleseren, eller den var utløpt. Start på nytt fra læringsplattformen.', 'Oppstarten høyrde ikkje til denne nettlesaren, eller han var utgått. Start på nytt frå læringsplattforma.', 'The launch did not belong to this browser, or it had expired. Start again from the learning platform.'),
  'refusal.malformed-token': m('Identitetsbeviset (id_token) fra læringsplattformen kunne ikke leses.', 'Identitetsprovet (id_token) frå læringsplattforma kunne ikkje lesast.', 'The identity token (id_token) from the learning platform could not be read.'),
  'refusal.bad-algorithm': m('Identitetsbeviset var signert med en algoritme vi ikke godtar.', 'Identitetsprovet var signert med ein algoritme vi ikkje godtek.', 'The identity token was signed with an algorithm we do not accept.'),
  'refusal.unknown-kid': m('Identitetsbeviset var signert med en nøkkel læringsplattformen ikke har publisert.', 'Identitetsprovet var signert med ein nøkkel læringsplattforma ikkje har publisert.', 'The identity token was signed with a key the learning platform has not published.'),
  'refusal.platform-unreachable': m('Vi fikk ikke svar fra læringsplattformen under registreringen (adressen svarte ikke, eller svarte ikke med JSON). Sjekk adressen og prøv igjen; invitasjonen er ikke brukt opp.', 'Vi fekk ikkje svar frå læringsplattforma under registreringa (adressa svarte ikkje, eller svarte ikkje med JSON). Sjekk adressa og prøv igjen; invitasjonen er ikkje brukt opp.', 'The learning platform did not answer during registration (the address did not answer, or not with JSON). Check the address and try again; the invitation is not used up.'),
  'refusal.jwks-unavailable': m('Vi fikk ikke hentet læringsplattformens nøkler, og ingen lagret nøkkel passet. Prøv igjen om litt.', 'Vi fekk ikkje henta nøklane til læringsplattforma, og ingen lagra nøkkel passa. Prøv igjen om litt.', 'We could not fetch the learning platform’s keys, and no stored key fitted. Try again shortly.'),
  'refusal.bad-signature': m('Signaturen på identitetsbeviset stemte ikke.', 'Signaturen på identitetsprovet stemde ikkje.', 'The identity token’s signature did not verify.'),
  'refusal.wrong-issuer': m('Identitetsbeviset kom fra en annen utsteder enn læringsplattformen innloggingen startet hos.', 'Identitetsprovet kom frå ein annan utferdar enn læringsplattforma innlogginga starta hos.', 'The identity token came from another issuer than the platform the login started with.'),
  'refusal.wrong-audience': m('Identitetsbeviset var ikke utstedt til Læringsløp.', 'Identitetsprovet var ikkje utferda til Læringsløp.', 'The identity token was not issued to Læringsløp.'),
  'refusal.azp-mismatch': m('Identitetsbeviset var utstedt til en annen part (azp).', 'Identitetsprovet var utferda til ein annan part (azp).', 'The identity token was issued to another party (azp).'),
  'refusal.expired': m('Identitetsbeviset var utløpt. Start på nytt fra læringsplattformen.', 'Identitetsprovet var utgått. Start på nytt frå læringsplattforma.', 'The identity token had expired. Start again from the learning platform.'),
  'refusal.issued-in-future': m('Identitetsbeviset var datert fram i tid. Klokken hos læringsplattformen kan gå feil.', 'Identitetsprovet var datert fram i tid. Klokka hos læringsplattforma kan gå feil.', 'The identity token was dated in the future. The platform’s clock may be wrong.'),
  'refusal.nonce-mismatch': m('Identitetsbeviset svarte ikke på denne innloggingen.', 'Identitetsprovet svara ikkje på denne innlogginga.', 'The identity token did not answer this login.'),
  'refusal.replayed-nonce': m('Identitetsbeviset er allerede brukt. Start på nytt fra læringsplattformen.', 'Identitetsprovet er allereie brukt. Start på nytt frå læringsplattforma.', 'The identity token has already been used. Start again from the learning platform.'),
  'refusal.unknown-deployment': m('Denne installasjonen (deployment) av Læringsløp er ikke registrert for læringsplattformen.', 'Denne installasjonen (deployment) av Læringsløp er ikkje registrert for læringsplattforma.', 'This deployment of Læringsløp is not registered for the learning platform.'),
  'refusal.wrong-message-type': m('Læringsplattformen sendte en meldingstype Læringsløp ikke tar imot.', 'Læringsplattforma sende ein meldingstype Læringsløp ikkje tek imot.', 'The learning platform sent a message type Læringsløp does not accept.'),
  'refusal.wrong-version': m('Læringsplattformen brukte en annen LTI-versjon enn 1.3.', 'Læringsplattforma brukte ein annan LTI-versjon enn 1.3.', 'The learning platform used another LTI version than 1.3.'),
  'refusal.missing-claims': m('Identitetsbeviset manglet opplysninger LTI 1.3 krever.', 'Identitetsprovet mangla opplysningar LTI 1.3 krev.', 'The identity token lacked information LTI 1.3 requires.'),
  'refusal.unknown-tenant': m('Kommunen læringsplattformen oppga, hører ikke til denne registreringen.', 'Kommunen læringsplattforma oppgav, høyrer ikkje til denne registreringa.', 'The municipality the platform named does not belong to this registration.'),
  'refusal.municipality-unmapped': m(
    'Læringsløp fikk ikke vite hvilken kommune du hører til. Læringsplattformen må sende kommunenummeret ditt.',
    'Læringsløp fekk ikkje vite kva kommune du høyrer til. Læringsplattforma må sende kommunenummeret ditt.',
    'Læringsløp was not told which municipality you belong to. The learning platform must send your municipality number.',
  ),
  'refusal.session-invalid': m('Økten din er utløpt eller ugyldig. Start Læringsløp på nytt fra læringsplattformen.', 'Økta di er utgått eller ugyldig. Start Læringsløp på nytt frå læringsplattforma.', 'Your session has expired or is invalid. Start Læringsløp again from the learning platform.'),
  'refusal.not-permitted': m('Rollen din gir ikke tilgang til dette.', 'Rolla di gir ikkje tilgang til dette.', 'Your role does not give access to this.'),
  'refusal.invite-unusable': m('Registreringsinvitasjonen er allerede brukt, trukket tilbake eller utløpt. Be operatøren av Læringsløp om en ny.', 'Registreringsinvitasjonen er allereie brukt, trekt tilbake eller utgått. Be operatøren av Læringsløp om ein ny.', 'The registration invitation has already been used, was revoked or has expired. Ask the operator of Læringsløp for a new one.'),
};

export const LTI_MESSAGES = {
  ...REFUSALS,
  'refusal.title': m('Oppstarten ble avvist', 'Oppstarten vart avvist', 'The launch was refused'),
  'refusal.title.not-permitted': m('Ingen tilgang', 'Ingen tilgang', 'No access'),
  'refusal.title.session-invalid': m('Økten er ikke gyldig', 'Økta er ikkje gyldig', 'The session is not valid'),
  'unmapped.title': m('Hvilken kommune hører du til?', 'Kva kommune høyrer du til?', 'Which municipality do you belong to?'),
  'unmapped.intro': m(
    'Du startet Læringsløp fra en læringsplattform som {region} deler. Læringsløp holder hver kommunes deltakere, fullføringer og rapporter for seg, så den må vite hvilken kommune du hører til, og det sa ikke oppstarten.',
    'Du starta Læringsløp frå ei læringsplattform som {region} deler. Læringsløp held deltakarane, fullføringane og rapportane til kvar kommune for seg, så ho må vite kva kommune du høyrer til, og det sa ikkje oppstarten.',
    'You started Læringsløp from a learning platform that {region} shares. Læringsløp keeps each municipality’s participants, completions and reports apart, so it needs to know which municipality you belong to, and the launch did not say.',
  ),
  'unmapped.domain': m(
    'E-postadressen din slutter på {domain}, og det domenet er ikke registrert for noen kommune i {region}.',
    'E-postadressa di sluttar på {domain}, og det domenet er ikkje registrert for nokon kommune i {region}.',
    'Your e-mail address ends in {domain}, and that domain is not registered for any municipality in {region}.',
  ),
  'unmapped.no-email': m(
    'Læringsplattformen sendte ingen e-postadresse, så kommunen kunne heller ikke finnes ut fra den.',
    'Læringsplattforma sende inga e-postadresse, så kommunen kunne heller ikkje finnast ut frå henne.',
    'The learning platform sent no e-mail address, so the municipality could not be found from it either.',
  ),
  'unmapped.what': m('Dette må administratoren av læringsplattformen gjøre', 'Dette må administratoren av læringsplattforma gjere', 'What the learning platform’s administrator must do'),
  'unmapped.send-number': m(
    'Sende kommunenummeret som egendefinert parameter i verktøyets innstillinger eller i aktiviteten: kommunenummer=NNNN, fire sifre, for eksempel kommunenummer=3303 for Kongsberg.',
    'Sende kommunenummeret som eigendefinert parameter i innstillingane til verktøyet eller i aktiviteten: kommunenummer=NNNN, fire siffer, til dømes kommunenummer=3303 for Kongsberg.',
    'Send the municipality number as a custom parameter in the tool’s settings or in the activity: kommunenummer=NNNN, four digits, for example kommunenummer=3303 for Kongsberg.',
  ),
  'unmapped.or-domain': m(
    'Eller: be administratoren for kommunen din i Læringsløp registrere e-postdomenet til kommunen (Administrasjon → E-postdomener), og sørge for at læringsplattformen sender e-postadressen.',
    'Eller: be administratoren for kommunen din i Læringsløp registrere e-postdomenet til kommunen (Administrasjon → E-postdomene), og sjå til at læringsplattforma sender e-postadressa.',
    'Or: ask your municipality’s administrator in Læringsløp to register the municipality’s e-mail domain (Administration → E-mail domains), and make sure the learning platform sends the e-mail address.',
  ),
  'unmapped.then': m('Start så aktiviteten på nytt fra læringsplattformen.', 'Start så aktiviteten på nytt frå læringsplattforma.', 'Then start the activity again from the learning platform.'),
  'refusal.reference': m('Referanse', 'Referanse', 'Reference'),
  'refusal.help': m('Oppgi referansen hvis du kontakter brukerstøtte.', 'Oppgi referansen om du kontaktar brukarstøtte.', 'Quote the reference if you contact support.'),
  'storage.title': m('Starter Læringsløp …', 'Startar Læringsløp …', 'Starting Læringsløp …'),
  'storage.wait': m('Et øyeblikk, vi kobler til læringsplattformen.', 'Eit augeblink, vi koplar til læringsplattforma.', 'One moment, connecting to the learning platform.'),
  'storage.continue': m('Fortsett', 'Hald fram', 'Continue'),
  'window.title': m('Åpne Læringsløp i et nytt vindu', 'Opne Læringsløp i eit nytt vindauge', 'Open Læringsløp in a new window'),
  'window.body': m('Nettleseren din blokkerer informasjonskapsler i innebygde vinduer, så Læringsløp kan ikke starte her. Åpne det i et nytt vindu for å fortsette.', 'Nettlesaren din blokkerer informasjonskapslar i innebygde vindauge, så Læringsløp kan ikkje starte her. Opne det i eit nytt vindauge for å halde fram.', 'Your browser blocks cookies in embedded frames, so Læringsløp cannot start here. Open it in a new window to continue.'),
  'window.link': m('Åpne i nytt vindu', 'Opne i nytt vindauge', 'Open in a new window'),
  'window.after': m('Læringsplattformen blir værende åpen i dette vinduet.', 'Læringsplattforma blir verande open i dette vindauget.', 'The learning platform stays open in this window.'),
  'lost.title': m('Oppstarten kunne ikke fullføres', 'Oppstarten kunne ikkje fullførast', 'The launch could not be completed'),
  'lost.body': m(
    'Læringsløp fikk ikke bekreftet at oppstarten hører til denne nettleseren: nettleseren sendte ikke tilbake informasjonskapselen, eller læringsplattformen svarte ikke. Læringsplattformen godtar hver oppstart bare én gang, så start aktiviteten på nytt derfra.',
    'Læringsløp fekk ikkje stadfesta at oppstarten høyrer til denne nettlesaren: nettlesaren sende ikkje tilbake informasjonskapselen, eller læringsplattforma svara ikkje. Læringsplattforma godtek kvar oppstart berre éin gong, så start aktiviteten på nytt derifrå.',
    'Læringsløp could not confirm that the launch belongs to this browser: the browser did not send the cookie back, or the learning platform did not answer. The learning platform accepts each launch only once, so start the activity again from there.',
  ),
  'landing.tenant': m('Kommune eller region', 'Kommune eller region', 'Municipality or region'),
  'deeplink.title': m('Velg læringsløp', 'Vel læringsløp', 'Choose a learning path'),
  'deeplink.intro': m('Velg læringsløpet som skal legges inn i emnet. Resultatet føres i vurderingsboken (0–100).', 'Vel læringsløpet som skal leggjast inn i emnet. Resultatet blir ført i vurderingsboka (0–100).', 'Choose the learning path to add to the course. The result goes to the gradebook (0–100).'),
  'deeplink.empty': m('Det finnes ingen publiserte læringsløp du kan legge inn ennå. Publiser et læringsløp under Læringsløp for designere først.', 'Det finst ingen publiserte læringsløp du kan leggje inn enno. Publiser eit læringsløp under Læringsløp for designarar først.', 'There are no published learning paths you can add yet. Publish a path in the designer pages first.'),
  'deeplink.choose': m('Legg inn', 'Legg inn', 'Add'),
  'deeplink.returning': m('Sender valget tilbake til læringsplattformen …', 'Sender valet tilbake til læringsplattforma …', 'Sending your choice back to the learning platform …'),
  'register.title': m('Registrere læringsplattform', 'Registrere læringsplattform', 'Register a learning platform'),
  'register.intro': m('En læringsplattform ber om å registrere Læringsløp. Kontroller opplysningene før du bekrefter.', 'Ei læringsplattform ber om å registrere Læringsløp. Kontroller opplysningane før du stadfestar.', 'A learning platform asks to register Læringsløp. Check the details before you confirm.'),
  'register.issuer': m('Utsteder (issuer)', 'Utferdar (issuer)', 'Issuer'),
  'register.product': m('Produkt', 'Produkt', 'Product'),
  'register.confirm': m('Bekreft registrering', 'Stadfest registrering', 'Confirm registration'),
  'register.done': m('Registreringen er fullført. Du kan lukke dette vinduet.', 'Registreringa er fullført. Du kan lukke dette vindauget.', 'The registration is complete. You can close this window.'),
  'register.client-id': m('Klient-ID', 'Klient-ID', 'Client id'),
} satisfies Record<string, Messages>;

export type LtiMessageId = keyof typeof LTI_MESSAGES;
export const tl = translator(LTI_MESSAGES);
