/** Types of the page's dictionary module (plain JS, served to the browser as it is). */
export declare const WORDS: Record<'vi' | 'en', Record<string, string>>;
export declare function formatDong(amount: number): string;
export declare function parseDong(text: string): number | null;
export declare function stepOf(status: string, state: string): string;
