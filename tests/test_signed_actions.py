"""One-transaction pledges with an EIP-2612 permit, and solutions registered from an EIP-712
signature that anyone relays: every way a signature can be wrong is refused."""

import secrets
from dataclasses import replace

import pytest
from eth_account.messages import encode_typed_data
from eth_keys.constants import SECPK1_N as SECP256K1_N  # secp256k1's group order

from bountychain import ETH, InvalidInput, InvalidSignature, RejectedInput, SignatureRejected, SignedSolution
from tests.conftest import DAY, MINTED, PR, deploy_mock

USDC = 10**6
ZERO_ADDRESS = "0x" + "00" * 20


# --- permit pledges ---------------------------------------------------------------------


def test_permit_pledge_takes_one_transaction_and_leaves_no_allowance(world):
    bounty_id = world.new_bounty("permit")
    funder, token = world.funders[0], world.tokens["permit"]
    nonce_before = world.nonce(funder)
    eth_before = world.balance(funder)
    result = world.as_(funder).pledge(bounty_id, "25 PUSD")
    assert result.permit and result.approval is None and result.amount == 25 * USDC
    assert world.nonce(funder) == nonce_before + 1  # one transaction
    assert world.balance(funder) == eth_before - result.gas_cost_wei
    assert world.balance(funder, token.address) == MINTED - 25 * USDC
    assert token.functions.allowance(funder.address, world.escrow.address).call() == 0
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == 25 * USDC


def test_permit_pledge_to_a_fundraiser(world):
    created = world.escrow.create_fundraiser("https://example.org/project", world.outsider.address, 10 * USDC,
                                             world.chain.now() + DAY, token=world.token("permit"))
    result = world.as_(world.funders[1]).pledge(created.fundraiser_id, 10 * USDC)
    assert result.permit and world.escrow.fundraiser(created.fundraiser_id).raised == 10 * USDC


def test_tokens_without_permit_fall_back_to_an_exact_approval(world):
    bounty_id = world.new_bounty("standard")
    assert not world.escrow.supports_permit(world.token("standard"))
    result = world.as_(world.funders[0]).pledge(bounty_id, 5 * USDC)
    assert not result.permit and result.approval is not None
    with pytest.raises(InvalidInput):
        world.as_(world.funders[0]).pledge(bounty_id, 5 * USDC, permit=True)
    with pytest.raises(InvalidInput):
        world.as_(world.funders[0]).pledge(world.new_bounty(), 1, permit=True)
    # And a permit token can still be pledged the old way.
    permit_bounty = world.new_bounty("permit")
    assert world.escrow.supports_permit(world.token("permit"))
    assert world.as_(world.funders[0]).pledge(permit_bounty, 5 * USDC, permit=False).approval is not None


def test_a_front_run_permit_still_pledges(world):
    """Someone copies the permit from the mempool and sends it first: the pledge goes on."""
    bounty_id = world.new_bounty("permit")
    funder, token = world.funders[0], world.tokens["permit"]
    client = world.as_(funder)
    deadline = world.chain.now() + 3600
    v, r, s = client.sign_permit(token.address, 7 * USDC, deadline)
    world.send(world.outsider, token.functions.permit(funder.address, world.escrow.address, 7 * USDC, deadline,
                                                      v, r, s))
    assert token.functions.allowance(funder.address, world.escrow.address).call() == 7 * USDC
    lock = world.escrow.bounty(bounty_id).deadline  # the lock the funder accepts: the deadline it read
    world.send(funder, world.escrow.contract.functions.pledgeWithPermit(bounty_id, 7 * USDC, lock, deadline, v, r, s))
    assert world.escrow.pledge_of(bounty_id, funder.address).amount == 7 * USDC
    assert token.functions.allowance(funder.address, world.escrow.address).call() == 0


def test_a_bad_permit_without_allowance_is_refused(world):
    bounty_id = world.new_bounty("permit")
    funder, token = world.funders[0], world.tokens["permit"]
    deadline = world.chain.now() + 3600
    v, r, s = world.as_(world.funders[1]).sign_permit(token.address, 7 * USDC, deadline)  # another owner's
    lock = world.escrow.bounty(bounty_id).deadline
    with pytest.raises(SignatureRejected) as refused:
        world.send(funder, world.escrow.contract.functions.pledgeWithPermit(bounty_id, 7 * USDC, lock, deadline,
                                                                            v, r, s))
    assert refused.value.error_name == "PermitFailed"
    assert refused.value.args_by_name["needed"] == 7 * USDC
    eth_bounty = world.new_bounty()
    with pytest.raises(RejectedInput) as refused:
        world.send(funder, world.escrow.contract.functions.pledgeWithPermit(eth_bounty, 1, 2**64 - 1, deadline,
                                                                            v, r, s))
    assert refused.value.error_name == "NotATokenBounty"


# --- signed solutions -------------------------------------------------------------------


def _signed(world, signer, bounty_id: int, **overrides) -> SignedSolution:
    """A registration signed by `signer` over the given fields (defaults: this chain and
    escrow, the signer as hunter, a fresh random nonce, a day's validity)."""
    fields = {
        "chain_id": world.escrow.chain_id, "escrow": world.escrow.address, "bounty_id": bounty_id, "uri": PR,
        "hunter": signer.address, "nonce": secrets.randbits(248),
        "expiry": world.chain.now() + DAY, "signature": "",
    }
    fields.update(overrides)
    payload = SignedSolution(**fields)
    signature = signer.sign_message(encode_typed_data(full_message=world.escrow._solution_typed_data(payload)))
    return replace(payload, signature="0x" + bytes(signature.signature).hex())


def _submit(world, payload: SignedSolution, relayer=None, **actual):
    """Sends the payload's signature with its fields, or the `actual` ones instead."""
    fields = {"bounty_id": payload.bounty_id, "uri": payload.uri, "hunter": payload.hunter,
              "nonce": payload.nonce, "expiry": payload.expiry, **actual}
    fn = world.escrow.contract.functions.submitSolutionBySig(
        fields["bounty_id"], fields["uri"], fields["hunter"], fields["nonce"], fields["expiry"],
        bytes.fromhex(payload.signature[2:]),
    )
    return world.send(relayer or world.outsider, fn)


def test_a_relayed_solution_belongs_to_its_signer_who_pays_no_gas(world):
    bounty_id = world.new_bounty()
    hunter = world.chain.new_account(wei=0)  # no ETH at all
    payload = world.escrow.as_signer(hunter).sign_solution(bounty_id, PR)
    text = payload.to_json()
    assert SignedSolution.from_json(text) == payload
    relayer = world.as_(world.outsider)
    result = relayer.relay_solution(text)
    assert (result.hunter, result.uri, result.claim_id) == (hunter.address, PR, 1)
    assert world.escrow.contract.functions.claimant(bounty_id, 1).call() == hunter.address
    assert world.balance(hunter) == 0
    world.as_(world.funders[0]).pledge(bounty_id, 10**18)
    award = world.escrow.award(bounty_id, {1: 10_000})
    assert world.balance(hunter) == award.payouts[0].amount > 0
    # Replaying it is refused by the SDK (before sending) and by the escrow.
    with pytest.raises(SignatureRejected, match="already used") as refused:
        relayer.relay_solution(payload)
    assert refused.value.error_name == "NonceUsed" and refused.value.tx_hash is None


def test_replay_is_refused(world):
    bounty_id = world.new_bounty()
    hunter = world.hunters[0]
    payload = _signed(world, hunter, bounty_id)
    _submit(world, payload)
    assert world.escrow.contract.functions.nonceUsed(hunter.address, payload.nonce).call()
    with pytest.raises(SignatureRejected) as refused:
        _submit(world, payload)
    assert refused.value.error_name == "NonceUsed"
    assert refused.value.args_by_name == {"hunter": hunter.address, "nonce": payload.nonce}
    with pytest.raises(SignatureRejected, match="already used") as refused:
        world.as_(world.outsider).relay_solution(payload)
    assert refused.value.error_name == "NonceUsed"
    # Even on another bounty, the used nonce is spent.
    elsewhere = _signed(world, hunter, world.new_bounty(), nonce=payload.nonce)
    with pytest.raises(SignatureRejected) as refused:
        _submit(world, elsewhere)
    assert refused.value.error_name == "NonceUsed"
    assert world.escrow.bounty(bounty_id).claim_count == 1


def test_nonces_are_unordered_and_an_unused_one_blocks_nothing(world):
    """Nonces are unordered: signatures are relayed in any order, and one that expired unused
    (its nonce never consumed) does not block the hunter's later signatures."""
    bounty_id = world.new_bounty()
    hunter = world.hunters[0]
    expired = _signed(world, hunter, bounty_id, nonce=1, expiry=world.chain.now() + 60)
    later, earlier = _signed(world, hunter, bounty_id, nonce=3), _signed(world, hunter, bounty_id, nonce=2)
    world.chain.set_next_block_timestamp(expired.expiry + 1)
    with pytest.raises(SignatureRejected) as refused:
        world.mine(world.outsider, world.escrow.contract.functions.submitSolutionBySig(
            bounty_id, expired.uri, expired.hunter, expired.nonce, expired.expiry,
            bytes.fromhex(expired.signature[2:])))
    assert refused.value.error_name == "SignatureExpired"
    assert not world.escrow.contract.functions.nonceUsed(hunter.address, 1).call()
    _submit(world, later)
    _submit(world, earlier)  # a lower nonce after a higher one
    assert world.escrow.bounty(bounty_id).claim_count == 2
    # The expired signature's nonce is still free: a fresh signature may reuse it.
    _submit(world, _signed(world, hunter, bounty_id, nonce=1))
    assert world.escrow.bounty(bounty_id).claim_count == 3
    assert all(world.escrow.contract.functions.nonceUsed(hunter.address, n).call() for n in (1, 2, 3))


def test_invalidate_nonce_cancels_one_signature_and_no_other(world):
    """A hunter who regrets a signature it handed out cancels its nonce: the signature is
    then refused, and the hunter's other signatures still work."""
    bounty_id = world.new_bounty()
    hunter = world.hunters[1]
    regretted, kept = _signed(world, hunter, bounty_id), _signed(world, hunter, bounty_id)
    receipt = world.send(hunter, world.escrow.contract.functions.invalidateNonce(regretted.nonce))
    (event,) = world.escrow.contract.events.NonceInvalidated().process_receipt(receipt)
    assert (event["args"]["hunter"], event["args"]["nonce"]) == (hunter.address, regretted.nonce)
    assert world.escrow.contract.functions.nonceUsed(hunter.address, regretted.nonce).call()
    with pytest.raises(SignatureRejected) as refused:
        _submit(world, regretted)
    assert refused.value.error_name == "NonceUsed"
    with pytest.raises(SignatureRejected, match="cancelled"):
        world.as_(world.outsider).relay_solution(regretted)
    # Only the caller's own nonce: someone else cancelling "the same" nonce changes nothing for it.
    world.send(world.outsider, world.escrow.contract.functions.invalidateNonce(kept.nonce))
    assert not world.escrow.contract.functions.nonceUsed(hunter.address, kept.nonce).call()
    assert world.as_(world.outsider).relay_solution(kept).hunter == hunter.address
    assert world.escrow.bounty(bounty_id).claim_count == 1


@pytest.mark.parametrize("offset, accepted", [(0, True), (1, False)])
def test_expiry_boundary(world, offset, accepted):
    bounty_id = world.new_bounty()
    expiry = world.chain.now() + 100
    payload = _signed(world, world.hunters[0], bounty_id, expiry=expiry)
    world.chain.set_next_block_timestamp(expiry + offset)
    fn = world.escrow.contract.functions.submitSolutionBySig(
        bounty_id, PR, payload.hunter, payload.nonce, expiry, bytes.fromhex(payload.signature[2:]))
    if accepted:
        world.mine(world.outsider, fn)
        assert world.escrow.bounty(bounty_id).claim_count == 1
    else:
        with pytest.raises(SignatureRejected) as refused:
            world.mine(world.outsider, fn)
        assert refused.value.error_name == "SignatureExpired"
        with pytest.raises(InvalidSignature, match="expired"):
            world.as_(world.outsider).relay_solution(payload)


@pytest.mark.parametrize("field", ["chain_id", "escrow"])
def test_a_signature_for_another_chain_or_escrow_is_refused(world, field):
    bounty_id = world.new_bounty()
    other = {"chain_id": world.escrow.chain_id + 1, "escrow": world.outsider.address}[field]
    payload = _signed(world, world.hunters[0], bounty_id, **{field: other})
    with pytest.raises(SignatureRejected) as refused:
        _submit(world, payload)
    assert refused.value.error_name == "WrongSigner"
    with pytest.raises(InvalidSignature, match="chain" if field == "chain_id" else "escrow"):
        world.as_(world.outsider).relay_solution(payload)
    # Relabelled as this chain and escrow, the signature no longer matches.
    relabelled = replace(payload, chain_id=world.escrow.chain_id, escrow=world.escrow.address)
    with pytest.raises(InvalidSignature, match="not the hunter"):
        world.as_(world.outsider).relay_solution(relabelled)


def test_a_malleable_high_s_signature_is_refused(world):
    bounty_id = world.new_bounty()
    payload = _signed(world, world.hunters[0], bounty_id)
    raw = bytes.fromhex(payload.signature[2:])
    r, s, v = raw[:32], int.from_bytes(raw[32:64], "big"), raw[64]
    flipped = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # 27 <-> 28: the same signer
    malleable = replace(payload, signature="0x" + flipped.hex())
    with pytest.raises(SignatureRejected) as refused:
        _submit(world, malleable)
    # ECDSA refuses the high-s form (no signer recovered), and the hunter is no contract wallet
    # that could accept it through ERC-1271.
    assert refused.value.error_name == "WrongSigner"
    assert refused.value.args_by_name == {"hunter": payload.hunter, "signer": ZERO_ADDRESS}
    with pytest.raises(InvalidSignature, match="malleable"):
        world.as_(world.outsider).relay_solution(malleable)
    _submit(world, payload)  # the canonical form still works


def test_a_signature_by_someone_else_is_refused(world):
    bounty_id = world.new_bounty()
    forged = _signed(world, world.hunters[1], bounty_id, hunter=world.hunters[0].address)
    with pytest.raises(SignatureRejected) as refused:
        _submit(world, forged)
    assert refused.value.error_name == "WrongSigner"
    assert refused.value.args_by_name["signer"] == world.hunters[1].address
    with pytest.raises(InvalidSignature, match="not the hunter"):
        world.as_(world.outsider).relay_solution(forged)


@pytest.mark.parametrize("tamper", ["bounty", "uri", "hunter", "nonce", "expiry", "length"])
def test_a_signature_over_other_fields_is_refused(world, tamper):
    bounty_id = world.new_bounty()
    other_bounty = world.new_bounty()
    payload = _signed(world, world.hunters[0], bounty_id)
    changes = {"bounty": {"bounty_id": other_bounty}, "uri": {"uri": PR + "9"},
               "hunter": {"hunter": world.hunters[1].address}, "nonce": {"nonce": payload.nonce + 1},
               "expiry": {"expiry": payload.expiry + 1}, "length": {}}[tamper]
    if tamper == "length":
        payload = replace(payload, signature=payload.signature[:-2])
    with pytest.raises(SignatureRejected) as refused:
        _submit(world, payload, **changes)
    assert refused.value.error_name == "WrongSigner"
    if tamper == "length":  # a truncated signature recovers no signer at all
        assert refused.value.args_by_name["signer"] == ZERO_ADDRESS
    else:
        assert refused.value.args_by_name["signer"] not in (ZERO_ADDRESS, world.hunters[0].address)
    with pytest.raises(InvalidSignature):
        world.as_(world.outsider).relay_solution(replace(payload, **changes))
    assert world.escrow.bounty(bounty_id).claim_count == 0 and world.escrow.bounty(other_bounty).claim_count == 0


def test_signed_solutions_for_a_fundraiser_are_refused(world):
    fundraiser_id = world.escrow.create_fundraiser("https://example.org/p", world.outsider.address, 1,
                                                   world.chain.now() + DAY).fundraiser_id
    payload = _signed(world, world.hunters[0], fundraiser_id)
    with pytest.raises(RejectedInput) as refused:
        _submit(world, payload)
    assert refused.value.error_name == "NotABounty"
    assert ETH  # the import is the SDK's public name for ETH


def test_a_contract_wallet_hunter_signs_through_erc1271(world):
    """A hunter that is a contract wallet (a Safe, say) signs with its owner's key; the escrow
    asks the wallet (ERC-1271). Someone else's key is refused."""
    owner = world.hunters[2]
    wallet = deploy_mock(world.chain, world.issuer, "ERC1271Wallet", owner.address)
    bounty_id = world.new_bounty()
    forged = _signed(world, world.hunters[1], bounty_id, hunter=wallet.address)
    with pytest.raises(SignatureRejected) as refused:
        _submit(world, forged)
    assert refused.value.error_name == "WrongSigner"
    signed = _signed(world, owner, bounty_id, hunter=wallet.address)
    result = world.as_(world.outsider).relay_solution(signed)
    assert result.hunter == wallet.address
    assert world.escrow.contract.functions.nonceUsed(wallet.address, signed.nonce).call()


def test_a_token_with_another_permit_falls_back_to_approve(world):
    """DAI-style tokens have an EIP-712 domain and nonces but not EIP-2612's permit: the
    escrow's permit fails in the simulation, nothing is sent, and the SDK approves instead."""
    token = deploy_mock(world.chain, world.issuer, "OtherPermitToken")
    funder = world.funders[0]
    world.send(world.issuer, token.functions.mint(funder.address, 10**18))
    bounty_id = world.escrow.create_bounty("https://github.com/o/r/issues/1", world.chain.now() + DAY,
                                           token=token.address).bounty_id
    nonce = world.nonce(funder)
    result = world.as_(funder).pledge(bounty_id, 10**6)
    assert not result.permit and result.approval is not None
    assert world.nonce(funder) == nonce + 2  # the approve and the pledge, no failed permit tx
    with pytest.raises(SignatureRejected) as refused:
        world.as_(funder).pledge(bounty_id, 10**6, permit=True)
    assert refused.value.error_name == "PermitFailed"
