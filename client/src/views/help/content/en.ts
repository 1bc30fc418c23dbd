/** Help in English (docs/support.md): the Russian help (ru.ts) translated. */
import type { HelpContent } from './types';

export const content: HelpContent = {
  title: 'Help',
  intro:
    'How to use the joint resolution of issues service, from registration to rating a decision. Each step is shown on a screenshot. If the answer is not here, see the frequently asked questions or contact support.',
  contents: 'Contents',
  faqTitle: 'Frequently asked questions',
  faqIntro: 'Answers to the questions portal users ask most often. Start typing a word and the list narrows down.',
  faqLink: 'Frequently asked questions',
  searchLabel: 'Search the frequently asked questions',
  searchHint: 'For example: “password”, “term”, “files”.',
  found: (n) => `Found: ${n} ${n === 1 ? 'question' : 'questions'}`,
  nothingFound: 'Nothing found. Try another word or contact support.',
  supportTitle: 'Did not find the answer?',
  supportText:
    'Write to the support team: say at which step the problem occurred, and the appeal number and filing date if it is about an appeal. The specialists answer in a chat, and you can attach screenshots.',
  supportLink: 'Contact support',
  backToHelp: 'Back to Help',
  articles: {
    register: {
      title: 'How to register',
      intro: 'To start using the platform, register and create your personal account. It is the first step and opens every feature of the system.',
      steps: [
        'Press “Register” in the top right corner.',
        'Enter a valid e-mail address and phone number, your full name, date of birth and INN; your registered address if needed.',
        'Choose a strong password of letters and digits, read the consent to the processing of personal data (152-FZ), tick it and press “Register”.',
        'Enter the confirmation codes sent to your e-mail and by SMS: this proves you own those contacts.',
      ],
      alt: 'The registration form: full name, e-mail and phone filled in; below them the fields Password, Date of birth, INN, Registered address and the start of the consent to the processing of personal data.',
      caption: 'The registration form. Check each field carefully.',
    },
    submit: {
      title: 'How to file an appeal',
      intro:
        'Appeals are filed from your personal account. The fuller the information, the faster the appeal is handled: prepare documents and data beforehand.',
      steps: [
        'In your account press “New appeal”.',
        'Describe the problem in your own words; the system suggests a topic. Choose the kind of appeal: application, information request, complaint or suggestion.',
        'Fill in the topic’s fields and attach the listed documents: PDF, DOCX, JPG or PNG, up to 10 MB each. Scans must be clear and legible.',
        'Check everything on the summary step and press “File the appeal”. You get the appeal number and an access code; keep them.',
      ],
      alt: 'The first step of the New appeal wizard: the short summary and the description filled in, below them the category suggested for the text, the category and the kind of appeal.',
      caption: 'The new appeal wizard: topic, documents, summary and filing.',
    },
    track: {
      title: 'How to track the status',
      intro: 'Once sent, the appeal is registered and given a unique number. Its status updates in real time, and every change is notified.',
      steps: [
        'Open “My appeals”: every appeal you sent, its status and answer due date.',
        'Press an appeal’s number to open its room: the description, the chat with the officer, the files and the status history.',
        'The terms of Federal Law 59-FZ are shown in the room: the registration date, the answer term and the days left.',
        'Without signing in, look the status up on the “Appeal status” page by the number and the access code.',
      ],
      alt: 'The My appeals list: for each appeal its subject, kind, status (Registered or Completed), number, category, answer due date and an Open the case link.',
      caption: 'My appeals: every request and its state.',
    },
    supplement: {
      title: 'How to supplement an appeal',
      intro:
        'When the officer asks for information, or you want to add something, supplement the appeal: each supplement is recorded and the officer sees it at once.',
      steps: [
        'Open the appeal’s room from My appeals.',
        'Press “Supplement the appeal”, write what you add and attach files.',
        'When the status is “Information requested”, answer the request and the appeal goes back to work.',
        'A short question can be asked in the room’s chat: the officer sees it at once.',
      ],
      alt: 'The Supplements and corrections section with the Supplement the appeal form open: the text, the drop area for files and the Send supplement button.',
      caption: 'The appeal room: chat, files and supplements.',
    },
    rate: {
      title: 'How to rate a decision',
      intro:
        'The officer proposes a resolution; you confirm or dispute it. Without objections within 5 days it is confirmed automatically. After completion you can rate the decision.',
      steps: [
        'When the status is “Awaiting confirmation”, read the resolution and press “Confirm”, or “Dispute” with a comment.',
        'After completion choose 1 to 5 stars in the Decision and rating section.',
        'With 1–2 stars or a complaint, describe your remarks: the head of the department reviews the decision and may start a re-examination.',
        'The review’s state is shown in the same room.',
      ],
      alt: 'The Decision and rating section of a completed appeal: decision No. 1 with its text and PDF link, below it the Rate the decision form with a rating from 1 to 5, the remarks’ category and the remarks.',
      caption: 'Rating the decision after completion.',
    },
    repeat: {
      title: 'How to file a repeat appeal',
      intro:
        'If the matter is not resolved after completion or rejection, file a repeat appeal: it gets a new number, is linked to the original and goes to the same department.',
      steps: [
        'Open the completed or rejected appeal.',
        'Press “File again on the same matter” and describe what is still unresolved.',
        'Check the draft: the topic, fields and a reference to the original’s files are carried over. File it.',
        'After a rejection read the reason and recommendations first: a rejected appeal can be corrected and resubmitted under the same number.',
      ],
      alt: 'The Repeat appeals and higher authorities section with the File again on the same matter form open: what is still unresolved, and the File a repeat appeal button.',
      caption: 'A repeat appeal is linked to the original.',
    },
    escalate: {
      title: 'How to escalate to a higher authority',
      intro:
        'If you disagree with the department’s answer, turn to a higher authority, regional or federal. The answer comes back as a decision or an explanatory note.',
      steps: [
        'Open the appeal and find the Repeat appeals and higher authorities section.',
        'Press “Escalate to a higher authority”, choose the department and give the reason.',
        'Tick the appeal’s files that support your position and press “Send to the higher department”.',
        'The new appeal appears in My appeals; the higher department’s answer is shown in the original as well.',
      ],
      alt: 'The Escalate to a higher authority form: the federal ministry chosen, the reason filled in, and the Send to the higher department button below.',
      caption: 'Escalation to a higher authority.',
    },
  },
  faq: [
    {
      q: 'The confirmation code does not arrive. What should I do?',
      a: 'Check that your e-mail address and phone number are right, and look in the spam folder. You can ask for a new code after a minute on the confirmation page. If it still does not arrive, contact support.',
    },
    {
      q: 'I forgot my password. How do I get access back?',
      a: 'On the sign-in page press “Forgot password?” and enter your confirmed e-mail or phone: a code to set a new password arrives. After the change every earlier session ends.',
    },
    {
      q: 'Which documents and files can I attach?',
      a: 'PDF, DOCX, JPG and PNG files, up to 10 MB each, several at once. The type is decided by the file’s content, not its extension. Scans must be clear and legible.',
    },
    {
      q: 'How long does it take to handle an appeal?',
      a: 'Under Federal Law 59-FZ an appeal is registered within 3 days and answered within 30 days of registration. In exceptional cases the term is extended by at most 30 days, and you are told. The terms are shown in the appeal’s room.',
    },
    {
      q: 'How can I check an appeal’s status without signing in?',
      a: 'On the “Appeal status” page enter the appeal number and the access code given when you filed it.',
    },
    {
      q: 'Why was my appeal rejected?',
      a: 'The reason and recommendations are in the notice and in the appeal’s room. Common reasons are missing data or documents in the wrong format. Correct the appeal and resubmit it: the number is kept.',
    },
    {
      q: 'Who sees my personal data?',
      a: 'Your contacts and identifiers are seen by the assigned officer and the department’s head. Invited experts see them only if you allowed it. Who accessed your data is shown in your profile.',
    },
    {
      q: 'What if I suspect unauthorised access?',
      a: 'Lock your account at once in the profile (“Lock account”) and contact support. It is unlocked with a code sent to your confirmed e-mail or phone.',
    },
    {
      q: 'Can I file a complaint or a suggestion?',
      a: 'Yes. In the new appeal wizard choose the kind “Complaint” or “Suggestion”. For a complaint give the details and the body concerned; for a suggestion, the changes you propose.',
    },
    {
      q: 'How do I contact support?',
      a: 'Press “Contact support”, give a topic and describe the problem. A chat with the portal support specialists opens; you can attach screenshots there.',
    },
  ],
};
