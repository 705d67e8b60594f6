CREATE TABLE typed_customers AS
SELECT row_index,
       clean_text(customer_id) AS customer_id,
       clean_text(name) AS name,
       clean_text(segment) AS segment,
       clean_text(sector) AS sector,
       clean_text(region) AS region,
       coalesce(parse_bool(business_critical), false) AS business_critical,
       problems([
           chk_id('customer_id', customer_id, 'a customer id'),
           chk_bool('business_critical', business_critical)
       ]) AS problems
FROM raw_customers;
