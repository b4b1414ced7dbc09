/**
 * The sample account a sandbox connection opens onto: a day of mail, tomorrow's calendar and a
 * small CRM, dated from the moment the account is first read, so a butler run right after
 * connecting has something to digest. Every name and domain is fictional (example.com, .test).
 */
import type { CalendarItem } from './calendar.js';
import type { MailItem } from './gmail.js';
import type { Seeds } from './index.js';

const HOUR = 3_600_000;

export function sampleMail(owner: string, now: number): MailItem[] {
  return [
    { from: 'Priya Natarajan <priya@northwind.test>', to: [owner], subject: 'Pilot: next steps after Tuesday', receivedAt: now - 2 * HOUR,
      body: 'Thanks for the demo on Tuesday. Our team would like to start a four-week pilot in March. Could you send the security questionnaire and a draft order form?', threadId: 'thread-northwind' },
    { from: 'Marco Bellini <marco@contoso-logistics.test>', to: [owner], subject: 'Re: pricing for 40 seats', receivedAt: now - 5 * HOUR,
      body: 'The professional tier works for us if the annual discount applies from 40 seats. Finance needs the quote by Friday.' },
    { from: 'calendar-noreply@example.com', to: [owner], subject: 'Invitation: Quarterly review with Fabrikam', receivedAt: now - 7 * HOUR,
      body: 'You have been invited to the quarterly review with Fabrikam tomorrow at 15:00 UTC.' },
    { from: 'Lena Hoffmann <lena@fabrikam.test>', to: [owner], subject: 'Signed contract attached', receivedAt: now - 9 * HOUR,
      body: 'Please find the countersigned contract attached. Looking forward to the kickoff.', attachment: { filename: 'contract-signed.pdf', mimeType: 'application/pdf', size: 182_344 } },
    { from: 'Support <support@example.com>', to: [owner], subject: 'Your invoice for last month', receivedAt: now - 14 * HOUR,
      body: 'Your invoice is available in the billing portal. No action is needed.' },
    { from: 'Priya Natarajan <priya@northwind.test>', to: [owner], subject: 'Pilot scope', receivedAt: now - 20 * HOUR,
      body: 'Before we commit: does the pilot include the CRM connector, and who on your side would run onboarding?', threadId: 'thread-northwind' },
  ];
}

export function sampleEvents(owner: string, now: number): CalendarItem[] {
  const at = (hours: number) => Math.ceil((now + hours * HOUR) / HOUR) * HOUR;
  return [
    { title: 'Pilot kickoff with Northwind', start: at(3), end: at(4), organizer: owner, attendees: [owner, 'priya@northwind.test'], location: 'Video call' },
    { title: 'Pricing call: Contoso Logistics', start: at(6), end: at(6.5), organizer: 'marco@contoso-logistics.test', attendees: [owner, 'marco@contoso-logistics.test'] },
    { title: 'Quarterly review with Fabrikam', start: at(20), end: at(21), organizer: owner, attendees: [owner, 'lena@fabrikam.test'], location: 'Fabrikam office, Berlin' },
    { title: 'Team standup', start: at(22), end: at(22.25), organizer: owner, attendees: [owner] },
    { title: 'Last week: discovery call', start: at(-150), end: at(-149), organizer: owner, attendees: [owner, 'priya@northwind.test'] },
  ];
}

const CONTACTS = [
  { firstname: 'Priya', lastname: 'Natarajan', email: 'priya@northwind.test', company: 'Northwind', jobtitle: 'Head of Operations', lifecyclestage: 'opportunity' },
  { firstname: 'Marco', lastname: 'Bellini', email: 'marco@contoso-logistics.test', company: 'Contoso Logistics', jobtitle: 'CFO', lifecyclestage: 'salesqualifiedlead' },
  { firstname: 'Lena', lastname: 'Hoffmann', email: 'lena@fabrikam.test', company: 'Fabrikam', jobtitle: 'VP Sales', lifecyclestage: 'customer' },
  { firstname: 'Tom', lastname: 'Okafor', email: 'tom@adatum.test', company: 'Adatum', jobtitle: 'IT Manager', lifecyclestage: 'lead' },
];

/** The seeds `npm start`'s sandbox fills every new account with. */
export function sampleSeeds(now: () => number): Seeds {
  return {
    gmail: (box) => { for (const m of sampleMail(box.address, now()).reverse()) box.add(m); },
    calendar: (store) => { for (const e of sampleEvents(store.address, now())) store.add(e); },
    graph: (box) => {
      for (const m of sampleMail(box.address, now()).reverse()) box.messages.add(m);
      for (const e of sampleEvents(box.address, now())) box.events.add(e);
    },
    hubspot: (portal) => {
      const t = now();
      const ids = CONTACTS.map((c) => portal.create('contacts', c));
      portal.create('emails', { hs_email_subject: 'Re: Pilot: next steps', hs_email_direction: 'INCOMING_EMAIL', hs_timestamp: String(t - 2 * HOUR) }, [ids[0]]);
      portal.create('emails', { hs_email_subject: 'Pricing for 40 seats', hs_email_direction: 'INCOMING_EMAIL', hs_timestamp: String(t - 5 * HOUR) }, [ids[1]]);
      portal.create('emails', { hs_email_subject: 'Follow-up: Adatum evaluation', hs_email_direction: 'EMAIL', hs_timestamp: String(t - 72 * HOUR) }, [ids[3]]);
      portal.create('meetings', { hs_meeting_title: 'Pilot kickoff with Northwind', hs_meeting_start_time: String(t + 3 * HOUR), hs_meeting_outcome: 'SCHEDULED', hs_timestamp: String(t + 3 * HOUR) }, [ids[0]]);
      portal.create('meetings', { hs_meeting_title: 'Discovery call', hs_meeting_start_time: String(t - 150 * HOUR), hs_meeting_outcome: 'COMPLETED', hs_timestamp: String(t - 150 * HOUR) }, [ids[0], ids[2]]);
    },
  };
}
