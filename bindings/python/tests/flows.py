"""Request bodies shared by the tests (the same data as ralio-core's sandbox_flow test)."""

import ralio


def individual(email: str) -> ralio.IndividualUserCreate:
    return ralio.IndividualUserCreate(
        activity="SALES_MANAGER",
        address="Calle Mayor 1",
        birth_country="ES",
        birthdate="1990-05-01",
        city="Madrid",
        country="ES",
        document_number="X1234567",
        document_type=ralio.IdentityDocumentType.PASSPORT(),
        email=email,
        employment_status=ralio.EmploymentStatus.EMPLOYED(),
        estimated_annual_income=50_000,
        estimated_annual_transaction_volume=20_000,
        estimated_net_worth=100_000,
        has_pep_close_associate=False,
        is_public_office=False,
        name="Ann",
        nationality="ES",
        phone_number="600000000",
        phone_number_country="ES",
        postal_code="28001",
        professional_sector="IT",
        province="Madrid",
        source_of_funds=ralio.SourceOfFunds.SALARY(),
        surname="Lee",
        terms_and_conditions_accepted=True,
    )


def eur(amount: int) -> ralio.Money:
    return ralio.Money(currency=ralio.Currency.EUR(), amount=amount)


def bank_payout(amount: int) -> ralio.BankPayoutCreate:
    return ralio.BankPayoutCreate(
        amounts=ralio.PayoutAmounts(debited_amount=eur(amount), received_amount=eur(0)),
        description="Rent",
        own_reference="PO-1",
        recipient=ralio.BankPayoutRecipient(
            account_number="ES9121000418450200051332",
            address=ralio.PostalAddress(
                city="Madrid", country="ES", line1="Calle 1", postal_code="28001", province="Madrid"
            ),
            beneficiary_type=ralio.BeneficiaryType.PERSON(),
            document=ralio.PayoutDocument(
                document_type=ralio.PayoutDocumentType.PASSPORT(), number="X1"
            ),
            routing_data="IBAN",
            name="Bob",
            relation="FRIEND",
            surname="Ray",
        ),
    )
