import { type ItemKey, seg, tenantPrefix } from './key-segments.js';

/**
 * Key builders of the campaigns module, spread into `keys` by table-design.ts: the code asks `keys`,
 * never this file. A campaign's item collection holds the campaign, its member snapshot
 * (`MEMBER#<clientId>`) and its e-mail send records (`EMAIL#<template>#<clientId>`).
 */
const campaignCollection = (tenantId: string, campaignId: string) =>
  `${tenantPrefix(tenantId)}#CAMPAIGN#${seg(campaignId)}`;

export const campaignKeys = {
  /** A campaign's own item, in its collection. */
  campaign: (tenantId: string, campaignId: string): ItemKey => ({
    pk: campaignCollection(tenantId, campaignId),
    sk: 'CAMPAIGN',
  }),
  /** listCampaigns: the tenant's campaigns on gsi1, newest first by creation. */
  campaignsOfTenant: (tenantId: string): string => `${tenantPrefix(tenantId)}#CAMPAIGNS`,
  /** One member of a campaign's frozen snapshot. */
  campaignMember: (tenantId: string, campaignId: string, clientId: string): ItemKey => ({
    pk: campaignCollection(tenantId, campaignId),
    sk: `MEMBER#${seg(clientId)}`,
  }),
  /** The partition of a campaign's collection, for listCampaignMembers (sk^=MEMBER#). */
  campaignCollection,
  /** The record that one template's e-mail to one member was sent (written before sending). */
  campaignEmail: (tenantId: string, campaignId: string, templateKey: string, clientId: string): ItemKey => ({
    pk: campaignCollection(tenantId, campaignId),
    sk: `EMAIL#${seg(templateKey)}#${seg(clientId)}`,
  }),
  /** A tenant's e-mail template for campaigns, per key and language. */
  campaignTemplate: (tenantId: string, templateKey: string, language: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#CAMPAIGN_TEMPLATE`,
    sk: `${seg(templateKey)}#${seg(language)}`,
  }),
} as const;

/** Sort-key prefixes inside a campaign's collection. */
export const campaignSortPrefixes = {
  members: 'MEMBER#',
  emails: (templateKey: string) => `EMAIL#${seg(templateKey)}#`,
} as const;
