import type { Messages } from './index.js';

const en: Messages = {
  app: {
    title: 'SIM real-name verification',
    language: 'Language',
  },
  home: {
    heading: 'Buying a SIM online starts with verifying your identity',
    lead: 'Chinese law requires every phone number to be registered to a verified person, so we check your resident ID card. It takes about three minutes.',
    stepsTitle: 'How it works',
    steps: {
      number: { title: 'Choose a number', body: 'Pick from the available numbers; we hold yours for a while.' },
      card: { title: 'Photograph your ID card', body: 'Both sides: the portrait side and the emblem side. The details are read from the card; you never type them.' },
      handheld: { title: 'A photo holding your card', body: 'Take one photo of yourself holding your ID card, portrait side facing the camera.' },
      live: { title: 'Live video check', body: 'Follow a few prompts (turn your head, blink) so we know it is really you.' },
      delivery: { title: 'Delivery and activation', body: 'A courier checks your ID at the door, or you activate the unactivated card online when it arrives.' },
    },
    needTitle: 'You will need',
    need: { card: 'Your own valid resident ID card', light: 'Good light, without glare on the card', camera: 'A phone or computer with a camera' },
    privacyTitle: 'Your personal data',
    privacy: 'ID photos and face data are sensitive personal information. They are used only for this verification, stored encrypted and deleted when their retention period ends. We ask for your separate consent before you start.',
    capTitle: 'Five cards per ID',
    cap: 'One ID card can hold at most five numbers with this operator.',
    sandbox: 'Test environment: specimen cards marked “样本” can be used.',
  },
};

export default en;
