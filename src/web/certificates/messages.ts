import { fillIn, translator, type Locale, type Messages } from '../i18n.js';

const m = (nb: string, nn: string, en: string): Messages => ({ nb, nn, en });

const CATALOGUE = {
  'verify.title': m('Kontroller et kursbevis', 'Kontroller eit kursbevis', 'Verify a certificate'),
  'verify.intro': m(
    'Skriv inn kontrollkoden fra beviset, eller lim inn et digitalt kompetansebevis (Open Badges 3.0). Du trenger ingen konto, og svaret kommer fra kommunens egne opplysninger.',
    'Skriv inn kontrollkoden frå beviset, eller lim inn eit digitalt kompetansebevis (Open Badges 3.0). Du treng ingen konto, og svaret kjem frå kommunen sine eigne opplysningar.',
    'Enter the verification code from the certificate, or paste a digital credential (Open Badges 3.0). You need no account, and the answer comes from the municipality’s own records.',
  ),
  'verify.input': m('Kontrollkode eller digitalt bevis', 'Kontrollkode eller digitalt bevis', 'Verification code or digital credential'),
  'verify.input.hint': m('Koden står nederst på beviset, for eksempel 7K3M-Q9TX-…', 'Koden står nedst på beviset, til dømes 7K3M-Q9TX-…', 'The code is at the foot of the certificate, for example 7K3M-Q9TX-…'),
  'verify.input.missing': m('Skriv inn en kontrollkode eller lim inn et bevis.', 'Skriv inn ein kontrollkode eller lim inn eit bevis.', 'Enter a verification code or paste a credential.'),
  'verify.button': m('Kontroller', 'Kontroller', 'Verify'),
  'verify.result': m('Resultat', 'Resultat', 'Result'),
  'status.valid': m('Gyldig: beviset er utstedt her og gjelder.', 'Gyldig: beviset er utferda her og gjeld.', 'Valid: the certificate was issued here and is in force.'),
  'status.revoked': m('Trukket tilbake: beviset gjelder ikke lenger.', 'Trekt tilbake: beviset gjeld ikkje lenger.', 'Revoked: the certificate is no longer in force.'),
  'status.expired': m('Utløpt: beviset var gyldig, men gjelder ikke lenger.', 'Utløpt: beviset var gyldig, men gjeld ikkje lenger.', 'Expired: the certificate was valid but is no longer in force.'),
  'status.not-issued-here': m('Ikke utstedt her: vi kjenner ikke dette beviset.', 'Ikkje utferda her: vi kjenner ikkje dette beviset.', 'Not issued here: we do not know this certificate.'),
  'status.tampered': m('Endret eller forfalsket: beviset er ikke slik det ble utstedt.', 'Endra eller forfalska: beviset er ikkje slik det vart utferda.', 'Altered or forged: the credential is not as it was issued.'),
  'status.malformed': m('Dette er verken en kontrollkode eller et digitalt bevis. Sjekk at du har skrevet av hele koden.', 'Dette er verken ein kontrollkode eller eit digitalt bevis. Sjekk at du har skrive av heile koden.', 'This is neither a verification code nor a digital credential. Check that you copied the whole code.'),
  'reason.signing-key-expired': m('Det digitale beviset er signert med en nøkkel som ikke lenger brukes. Innehaveren kan laste det ned på nytt.', 'Det digitale beviset er signert med ein nøkkel som ikkje lenger er i bruk. Innehavaren kan laste det ned på nytt.', 'The credential was signed with a key no longer in use. Its holder can download it again.'),
  'reason.credential-expired': m('Det digitale beviset har passert sin gyldighetstid.', 'Det digitale beviset har passert gyldigheitstida si.', 'The credential is past its validity.'),
  'too-many': m('For mange mislykkede kontroller fra din adresse. Vent litt og prøv igjen.', 'For mange mislukka kontrollar frå adressa di. Vent litt og prøv igjen.', 'Too many failed verifications from your address. Wait a little and try again.'),
  'attests.name': m('Navn', 'Namn', 'Name'),
  'attests.what': m('Bevis for', 'Prov for', 'Certifies'),
  'attests.path': m('Læringsløpet «{title}», versjon {version}', 'Læringsløpet «{title}», versjon {version}', 'The learning path “{title}”, version {version}'),
  'attests.steps': m('Innhold', 'Innhald', 'Contents'),
  'attests.competences': m('Kompetanse', 'Kompetanse', 'Competence'),
  'attests.achieved': m('Oppnådd', 'Oppnådd', 'Achieved'),
  'attests.expires': m('Gyldig til', 'Gyldig til', 'Valid until'),
  'attests.never': m('Utløper ikke', 'Går ikkje ut', 'Does not expire'),
  'attests.revoked': m('Trukket tilbake', 'Trekt tilbake', 'Revoked'),
  'attests.issuer': m('Utstedt av', 'Utferda av', 'Issued by'),
  'attests.code': m('Kontrollkode', 'Kontrollkode', 'Verification code'),
  'attests.kind.holding': m('Registrert kompetanse', 'Registrert kompetanse', 'Registered competence'),
  'mine.title': m('Mine kursbevis', 'Mine kursbevis', 'My certificates'),
  'mine.intro': m(
    'Kursbevisene kan alle kontrollere uten konto. Del lenken, eller last ned beviset som PDF eller som digitalt bevis (Open Badges 3.0) til en lommebok som tar imot det.',
    'Kursbevisa kan alle kontrollere utan konto. Del lenkja, eller last ned beviset som PDF eller som digitalt bevis (Open Badges 3.0) til ei lommebok som tek imot det.',
    'Anyone can verify your certificates without an account. Share the link, or download the certificate as a PDF or as a digital credential (Open Badges 3.0) for a wallet that accepts it.',
  ),
  'mine.empty': m('Du har ingen kursbevis ennå. Du får et når du fullfører et læringsløp.', 'Du har ingen kursbevis enno. Du får eitt når du fullfører eit læringsløp.', 'You have no certificates yet. You get one when you complete a learning path.'),
  'mine.col.what': m('Bevis', 'Prov', 'Certificate'),
  'mine.col.status': m('Status', 'Status', 'Status'),
  'mine.col.download': m('Last ned', 'Last ned', 'Download'),
  'mine.col.share': m('Del', 'Del', 'Share'),
  'mine.pdf': m('PDF ({what})', 'PDF ({what})', 'PDF ({what})'),
  'mine.credential': m('Digitalt bevis ({what})', 'Digitalt bevis ({what})', 'Digital credential ({what})'),
  'mine.share': m('Kontrollside ({what})', 'Kontrollside ({what})', 'Verification page ({what})'),
  'mine.state.valid': m('Gyldig', 'Gyldig', 'Valid'),
  'mine.state.revoked': m('Trukket tilbake', 'Trekt tilbake', 'Revoked'),
  'mine.state.expired': m('Utløpt', 'Utløpt', 'Expired'),
  'mine.kind.holding': m('Kompetansebevis: {name}', 'Kompetansebevis: {name}', 'Certificate of competence: {name}'),
  'mine.kind.path': m('Kursbevis: {title}', 'Kursbevis: {title}', 'Course certificate: {title}'),
  'path.certificate': m('Last ned kursbeviset (PDF)', 'Last ned kursbeviset (PDF)', 'Download the course certificate (PDF)'),
  'path.certificates': m('Se alle kursbevisene dine', 'Sjå alle kursbevisa dine', 'See all your certificates'),
  'manage.title': m('Kursbevis', 'Kursbevis', 'Certificates'),
  'manage.download': m('Last ned PDF ({what})', 'Last ned PDF ({what})', 'Download PDF ({what})'),
  'manage.none': m('Ingen kursbevis.', 'Ingen kursbevis.', 'No certificates.'),
  'theme.heading': m('Kursbevis', 'Kursbevis', 'Certificates'),
  'theme.intro': m('Kursbevisene viser kommunens navn og logo. Her setter du tittelen til den som står bak bevisene.', 'Kursbevisa viser namnet og logoen til kommunen. Her set du tittelen til den som står bak bevisa.', 'Certificates show the municipality’s name and logo. Here you set the title of who stands behind them.'),
  'theme.signatory': m('Tittel på kursbevisene', 'Tittel på kursbevisa', 'Title on the certificates'),
  'theme.signatory.hint': m('For eksempel Kommunedirektør eller Personalsjef. Tomt felt: ingen tittel.', 'Til dømes Kommunedirektør eller Personalsjef. Tomt felt: ingen tittel.', 'For example Chief Municipal Executive or Head of HR. Empty: no title.'),
  'theme.save': m('Lagre tittelen', 'Lagre tittelen', 'Save the title'),
  'theme.saved': m('Tittelen på kursbevisene er lagret.', 'Tittelen på kursbevisa er lagra.', 'The title on the certificates is saved.'),
} satisfies Record<string, Messages>;

export type CertificateMessage = keyof typeof CATALOGUE;
const t = translator(CATALOGUE);

export function tcert(locale: Locale, id: CertificateMessage, values?: Readonly<Record<string, string | number>>): string {
  return values ? fillIn(t(locale, id), values) : t(locale, id);
}
