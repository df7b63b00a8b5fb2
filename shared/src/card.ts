import { z } from 'zod';

/** Card sides. Vendors call the portrait side "front"; we don't, to stay unambiguous. */
export const CARD_SIDES = ['portrait', 'emblem'] as const;
export type CardSide = (typeof CARD_SIDES)[number];

/** The 56 ethnic groups as printed after 民族 (GB/T 3304), 汉 first. */
export const ETHNIC_GROUPS = [
  '汉', '蒙古', '回', '藏', '维吾尔', '苗', '彝', '壮', '布依', '朝鲜', '满', '侗', '瑶', '白', '土家',
  '哈尼', '哈萨克', '傣', '黎', '傈僳', '佤', '畲', '高山', '拉祜', '水', '东乡', '纳西', '景颇',
  '柯尔克孜', '土', '达斡尔', '仫佬', '羌', '布朗', '撒拉', '毛南', '仡佬', '锡伯', '阿昌', '普米',
  '塔吉克', '怒', '乌孜别克', '俄罗斯', '鄂温克', '德昂', '保安', '裕固', '京', '塔塔尔', '独龙',
  '鄂伦春', '赫哲', '门巴', '珞巴', '基诺',
] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** What the portrait side (人像面) prints, field by field. */
export const portraitSideSchema = z.object({
  name: z.string().min(1).max(30),
  sex: z.enum(['男', '女']),
  ethnicity: z.string().min(1).max(10),
  birthDate: isoDate,
  address: z.string().min(1).max(80),
  idNumber: z.string().regex(/^\d{17}[\dX]$/),
});
export type PortraitSide = z.infer<typeof portraitSideSchema>;

/** What the emblem side (国徽面) prints. */
export const emblemSideSchema = z.object({
  issuingAuthority: z.string().min(1).max(40),
  /** As printed: `YYYY.MM.DD-YYYY.MM.DD` or `YYYY.MM.DD-长期`. */
  validity: z.string().min(1),
});
export type EmblemSide = z.infer<typeof emblemSideSchema>;

/** Fields read from one side, each possibly missing when OCR could not find it. */
export const portraitSideReadSchema = portraitSideSchema.partial();
export type PortraitSideRead = z.infer<typeof portraitSideReadSchema>;
export const emblemSideReadSchema = emblemSideSchema.partial();
export type EmblemSideRead = z.infer<typeof emblemSideReadSchema>;
