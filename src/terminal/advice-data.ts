import type { AdviceRequest } from '../acquirer/advice';
import { restorePurchase, storePurchase, type StoredPurchase } from './reversals';

/** An advice as kept, sealed, in the journal until the bank has answered it. */
export interface StoredAdvice extends StoredPurchase {
  transmittedAt: string;
  offlineResponseCode: 'Y1' | 'Y3';
  authCode: string;
}

export function storeAdvice(advice: AdviceRequest): StoredAdvice {
  return {
    ...storePurchase(advice),
    transmittedAt: advice.transmittedAt.toISOString(),
    offlineResponseCode: advice.offlineResponseCode,
    authCode: advice.authCode,
  };
}

export function restoreAdvice(stored: StoredAdvice): AdviceRequest {
  return {
    ...restorePurchase(stored),
    transmittedAt: new Date(stored.transmittedAt),
    offlineResponseCode: stored.offlineResponseCode,
    authCode: stored.authCode,
  };
}
